namespace SessionCluster.Actors.Membership;

/// <summary>What a node's route name may be: it goes into a cookie after a dot, so 1 to 64 ASCII letters, digits,
/// '-' or '_'. The setting (<c>node.route</c>) and the membership wire check the same rule.</summary>
public static class RouteName
{
    /// <summary>The longest route.</summary>
    public const int MaxLength = 64;

    /// <summary>True if <paramref name="route"/> is a valid route name.</summary>
    public static bool IsValid(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in route)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="route"/> if it is empty (no route) or valid; otherwise throws naming <paramref name="parameter"/>.</summary>
    /// <exception cref="ArgumentException">Neither empty nor a valid route.</exception>
    public static string EmptyOrValid(string route, string parameter)
    {
        ArgumentNullException.ThrowIfNull(route, parameter);
        return route.Length == 0 || IsValid(route)
            ? route
            : throw new ArgumentException($"'{route}' is not a valid route; use 1 to {MaxLength} letters, digits, '-' or '_'.", parameter);
    }
}
