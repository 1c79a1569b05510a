/// The version every answer and every `--version` reports.
public enum SmokeVersion {
    public static let current = "0.1.0"
}
