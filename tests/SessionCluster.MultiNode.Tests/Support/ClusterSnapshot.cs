using System.Text;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>What each observed node answered on <c>GET /cluster/members</c> in one polling round.</summary>
/// <param name="Views">Per observer: its view, or null with the reason it gave none (refused, timed out, 503).</param>
internal sealed record ClusterSnapshot(IReadOnlyList<(NodeProcess Observer, ClusterView? View, string? Error)> Views)
{
    /// <summary>True when every observer answered and <paramref name="accept"/> holds for each view.</summary>
    public bool Every(Func<ClusterView, bool> accept) => Views.All(entry => entry.View is { } view && accept(view));

    /// <summary>True when every observer sees exactly <paramref name="addresses"/> Up and converged, and all name the same leader.</summary>
    public bool AllSeeExactlyUp(IReadOnlyCollection<string> addresses) =>
        Every(view => view.HasExactlyUp(addresses))
        && Views.Select(entry => entry.View!.Leader).Distinct().Count() == 1;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (observer, view, error) in Views)
        {
            text.Append("\n  ").Append(observer.Name).Append(": ").Append(view?.ToString() ?? "no view: " + error);
        }

        return text.ToString();
    }
}
