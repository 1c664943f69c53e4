using System.Text;
using System.Text.Encodings.Web;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Hosting.Http;

namespace SessionCluster.Web.Pages;

/// <summary><c>GET /</c>: the session shown as HTML with a form to add attributes, in the spirit of Tomcat's SessionExample.</summary>
public static class SessionExamplePage
{
    public static IEndpointRouteBuilder MapSessionExamplePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (HttpContext http, SessionNode node) =>
        {
            var cookieName = node.Settings.Sessions.CookieName;
            var (cookieId, cookieRoute) = SessionCookie.Read(http.Request, cookieName);
            object reply;
            SessionId id;
            try
            {
                (reply, id, _) = await node.Client.SendOrCreate(cookieId, static id => new GetSession(id), http.RequestAborted);
            }
            catch (AskTimeoutException)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = "1";
                await http.Response.WriteAsync("The session did not answer in time; reload the page.");
                return;
            }

            if (reply is not SessionSnapshot)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = "1";
                var why = reply is ShardUnavailable unavailable ? $" ({unavailable.Reason})" : string.Empty;
                await http.Response.WriteAsync($"The session cannot be served right now{why}; reload the page.");
                return;
            }

            SessionCookie.Refresh(http.Response, node.Settings.Sessions, id, ((SessionSnapshot)reply).Owner, cookieId, cookieRoute);

            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Render((SessionSnapshot)reply, node.Route));
        });
        return app;
    }

    private static string Render(SessionSnapshot session, string servedBy)
    {
        var html = HtmlEncoder.Default;
        var rows = new StringBuilder();
        foreach (var (name, value) in session.Attributes)
        {
            var encodedName = html.Encode(name);
            rows.Append("<tr><td>").Append(encodedName).Append("</td><td><code>")
                .Append(html.Encode(Encoding.UTF8.GetString(value)))
                .Append("</code></td><td><button data-name=\"").Append(encodedName).Append("\" class=\"remove\">remove</button></td></tr>\n");
        }

        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>SessionCluster — session example</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
              table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
              code { white-space: pre-wrap; word-break: break-all; }
            </style>
            </head>
            <body>
            <h1>Session example</h1>
            <table>
              <tr><th>Session id</th><td>{{session.Id}}</td></tr>
              <tr><th>Owner</th><td>{{html.Encode(session.Owner)}}</td></tr>
              <tr><th>Served by</th><td>{{html.Encode(servedBy)}}</td></tr>
              <tr><th>Created</th><td>{{session.Created.UtcDateTime:O}}</td></tr>
              <tr><th>Last accessed</th><td>{{session.LastAccessed.UtcDateTime:O}}</td></tr>
              <tr><th>Max inactive</th><td>{{(long)session.MaxInactiveInterval.TotalSeconds}} s</td></tr>
            </table>
            <h2>Attributes</h2>
            <table id="attributes">
              <tr><th>Name</th><th>Value (JSON)</th><th></th></tr>
            {{rows}}</table>
            <h2>Add an attribute</h2>
            <form id="add">
              <label>Name <input name="name" required maxlength="256"></label>
              <label>Value <input name="value" required></label>
              <button type="submit">Set</button>
            </form>
            <p id="message" role="status"></p>
            <script>
              const message = document.getElementById('message');
              async function call(method, name, body) {
                const response = await fetch('/session/attributes/' + encodeURIComponent(name), { method, body, headers: { 'Content-Type': 'application/json' } });
                if (response.ok) { location.reload(); } else { message.textContent = (await response.json()).error; }
              }
              document.getElementById('add').addEventListener('submit', event => {
                event.preventDefault();
                const form = new FormData(event.target);
                let value = form.get('value');
                try { JSON.parse(value); } catch { value = JSON.stringify(value); }
                call('PUT', form.get('name'), value);
              });
              document.querySelectorAll('button.remove').forEach(b => b.addEventListener('click', () => call('DELETE', b.dataset.name)));
            </script>
            </body>
            </html>
            """;
    }
}
