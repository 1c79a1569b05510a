import Foundation
import SmokeCore

/// The one way out of a tool's process: what is left to print, then the exit status.
public enum Terminal {
    public static func finish(stdout: String, stderr: String = "", status: Int32) -> Never {
        if !stdout.isEmpty { _ = FileIO.writeAll(Data(stdout.utf8), to: STDOUT_FILENO) }
        if !stderr.isEmpty { Log.writeStderr(stderr) }
        exit(status)
    }
}
