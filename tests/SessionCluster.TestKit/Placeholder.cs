namespace SessionCluster.TestKit; internal static class Placeholder {}
