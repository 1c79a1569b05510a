/// What one subcommand of smoke-report hands back (it prints no envelope): its exit status and the text for stdout and
/// stderr. The executable prints it and exits; tests read it.
public struct ReportOutput: Sendable, Equatable {
    public var exit: Int32
    public var stdout: String
    public var stderr: String

    public init(exit: Int32 = 0, stdout: String = "", stderr: String = "") {
        self.exit = exit
        self.stdout = stdout
        self.stderr = stderr
    }
}
