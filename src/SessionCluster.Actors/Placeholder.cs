namespace SessionCluster.Actors; internal static class Placeholder {}
