// CodexKit: the domain library behind codex-stage.
public enum CodexKitInfo { public static let domain = "codex-stage" }
