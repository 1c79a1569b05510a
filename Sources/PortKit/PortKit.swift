// PortKit: the domain library behind port-preflight.
public enum PortKitInfo { public static let domain = "port-preflight" }
