import Foundation

/// Starts a Python fixture server (a script that prints `READY <port>`), optionally as the user
/// `nobody` for tests about other users' processes, and returns it with its port.
public enum PythonFixture {
    /// The system Python: readable by `nobody`, unlike a venv under /root.
    public static var systemPython: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : ProjectPaths.python
    }

    /// setpriv execs the command in place, so the child's pid is the fixture's own pid.
    public static let asNobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

    public static func start(_ script: String, _ arguments: [String], asNobody nobody: Bool = false) throws
        -> (BackgroundProcess, Int)
    {
        let command = [systemPython, nobody ? try WorldReadable.copy(of: script) : script] + arguments
        let process =
            nobody
            ? try BackgroundProcess(asNobody[0], Array(asNobody.dropFirst()) + command)
            : try BackgroundProcess(command[0], Array(command.dropFirst()))
        do {
            return (process, try process.waitForReadyPort(timeout: 20))
        } catch {
            process.stop()
            throw error
        }
    }
}
