using SessionCluster.Hosting;
using ShoppingCart;

// A shopping cart kept in HttpContext.Session and nothing else. The usual multi-server recipe would put
// builder.Services.AddStackExchangeRedisCache(...) here; this line makes the app a SessionCluster node instead.
var builder = WebApplication.CreateBuilder(args);
var clustered = builder.Configuration["cart:session-store"] != "memory";
if (!clustered)
{
    // The baseline of bench/aspnet-session.sh: ASP.NET Core's in-memory store, one server only.
    builder.Services.AddDistributedMemoryCache();
}
else
{
    builder.AddSessionCluster();
}

builder.Services.AddSession(options =>
{
    options.IdleTimeout = TimeSpan.FromMinutes(20);
    options.Cookie.Name = ".ShoppingCart.Session";
    options.Cookie.HttpOnly = true;
    options.Cookie.IsEssential = true;
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

var app = builder.Build();
app.UseSession();
if (clustered)
{
    // The node's own endpoints, as on a SessionCluster.Web node: /health/ready for the balancer, /cluster/* and
    // /dashboard for the operator (sessionctl works against this app), /metrics, and the /session JSON contract.
    app.MapSessionClusterEndpoints();
}

app.MapGet("/cart", async (HttpContext http) =>
{
    await http.Session.LoadAsync();
    return Results.Json(Cart.Of(http.Session));
});

app.MapPost("/cart/items/{sku}", async (HttpContext http, string sku, int? quantity) =>
{
    await http.Session.LoadAsync();
    Cart.Add(http.Session, sku, quantity ?? 1);
    await http.Session.CommitAsync();
    return Results.Json(Cart.Of(http.Session));
});

app.MapDelete("/cart/items/{sku}", async (HttpContext http, string sku) =>
{
    await http.Session.LoadAsync();
    Cart.Remove(http.Session, sku);
    await http.Session.CommitAsync();
    return Results.Json(Cart.Of(http.Session));
});

app.MapPut("/cart/customer", async (HttpContext http, string name) =>
{
    await http.Session.LoadAsync();
    http.Session.SetString(Cart.CustomerKey, name);
    await http.Session.CommitAsync();
    return Results.Json(Cart.Of(http.Session));
});

app.MapPost("/cart/checkout", async (HttpContext http) =>
{
    await http.Session.LoadAsync();
    var order = Cart.Of(http.Session);
    http.Session.Clear();
    await http.Session.CommitAsync();
    return Results.Json(order);
});

app.MapGet("/", () => Results.Text("ShoppingCart: GET /cart, POST /cart/items/{sku}?quantity=N, DELETE /cart/items/{sku}, PUT /cart/customer?name=X, POST /cart/checkout\n"));

app.Run();

/// <summary>The sample's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
