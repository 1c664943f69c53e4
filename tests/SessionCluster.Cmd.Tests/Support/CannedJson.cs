namespace SessionCluster.Cmd.Tests.Support;

/// <summary>Documents of the management API as a node writes them (notes/api.md), for parsing and rendering tests.</summary>
internal static class CannedJson
{
    /// <summary>A Lighthouse, three workers (one Leaving, one unreachable) and a front; the Lighthouse leads.</summary>
    public const string Members = """
        {"self":"127.0.0.1:4060","leader":"127.0.0.1:4053","oldest":"127.0.0.1:4054","converged":false,"members":[
          {"address":"127.0.0.1:4053","uid":"11","status":"Up","route":null,"roles":["lighthouse"],"reachable":true,"upNumber":1},
          {"address":"127.0.0.1:4054","uid":"12","status":"Up","route":"w1","roles":["worker"],"reachable":true,"upNumber":2},
          {"address":"127.0.0.1:4055","uid":"13","status":"Up","route":"w2","roles":["worker"],"reachable":false,"upNumber":3},
          {"address":"127.0.0.1:4056","uid":"14","status":"Leaving","roles":["worker"],"reachable":true,"upNumber":4},
          {"address":"127.0.0.1:4060","uid":"15","status":"Up","route":"front","roles":["front"],"reachable":true,"upNumber":5}]}
        """;

    /// <summary>Six shards: three on 4054, two on 4055, one without a home; backups spread; one count unknown.</summary>
    public const string Shards = """
        {"coordinator":"127.0.0.1:4054","shards":[
          {"id":0,"home":"127.0.0.1:4054","epoch":3,"backups":["127.0.0.1:4055"],"sessions":10},
          {"id":1,"home":"127.0.0.1:4055","epoch":2,"backups":["127.0.0.1:4054"],"sessions":20},
          {"id":2,"home":"127.0.0.1:4054","epoch":1,"backups":["127.0.0.1:4055"],"sessions":null},
          {"id":3,"home":null,"epoch":0,"backups":[],"sessions":null},
          {"id":4,"home":"127.0.0.1:4055","epoch":5,"backups":["127.0.0.1:4056"],"sessions":5},
          {"id":5,"home":"127.0.0.1:4054","epoch":4,"backups":["127.0.0.1:4056"],"sessions":1}]}
        """;

    public const string Regions = """
        {"coordinator":"127.0.0.1:4054","regions":[
          {"address":"127.0.0.1:4055","hostsShards":true,"weight":1,"draining":false,"shards":2,"backups":2,"sessions":25},
          {"address":"127.0.0.1:4054","hostsShards":true,"weight":2,"draining":true,"shards":3,"backups":1,"sessions":11},
          {"address":"127.0.0.1:4060","hostsShards":false,"weight":0,"draining":false,"shards":0,"backups":0,"sessions":null}]}
        """;

    public const string Location = """
        {"id":"0123456789abcdef0123456789abcdef","shard":42,"home":"127.0.0.1:4055","epoch":7,"backups":["127.0.0.1:4054","127.0.0.1:4056"]}
        """;
}
