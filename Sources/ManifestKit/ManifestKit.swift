// ManifestKit: the domain library behind render-manifest.
public enum ManifestKitInfo { public static let domain = "render-manifest" }
