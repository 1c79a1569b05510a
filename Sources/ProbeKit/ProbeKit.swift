// ProbeKit: the domain library behind probe-initialize.
public enum ProbeKitInfo { public static let domain = "probe-initialize" }
