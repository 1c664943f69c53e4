namespace SessionCluster.Actors.Membership;

/// <summary>Something the membership state machine asks its host to do; plain data, carried out by the host.</summary>
public abstract record MembershipEffect;
