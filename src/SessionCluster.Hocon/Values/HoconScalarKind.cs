namespace SessionCluster.Hocon;

/// <summary>What a HOCON scalar was written as.</summary>
public enum HoconScalarKind
{
    String,
    Number,
    Boolean,
    Null,
}
