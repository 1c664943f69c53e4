namespace SessionCluster.Hocon; internal static class Placeholder {}
