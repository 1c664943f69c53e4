namespace SessionCluster.Actors.Sessions;

/// <summary>One attribute's change in an <see cref="ApplyAttributeChanges"/> batch: a new value, or a removal.</summary>
/// <param name="Name">The attribute, 1 to <c>max-name-length</c> printable characters.</param>
/// <param name="JsonValue">The new value as compact JSON (at least 1 byte); null removes the attribute.</param>
public sealed record AttributeChange(string Name, byte[]? JsonValue)
{
    /// <summary>True if this change removes the attribute.</summary>
    public bool IsRemoval => JsonValue is null;
}
