import SmokeCore
import Testing

/// Runs `body`, expecting it to throw a SmokeError with `code` and `exit`; returns the error.
@discardableResult
func expectSmokeError(
    _ code: ErrorCode, exit: ToolExit, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> SmokeError? {
    do {
        try body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as SmokeError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.exit == exit, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected SmokeError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
