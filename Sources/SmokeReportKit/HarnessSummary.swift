import SmokeCore

/// What the harness steps (test steps, restarts) add to summary.json and junit.xml. Kept apart
/// from RunSummary and JUnitReport, which call it once each.
public enum HarnessSummary {
    /// Top-level summary keys derived from the harness steps of a run (none when it had none).
    public static func fields(steps: [[String: JSONValue]]) -> [String: JSONValue] {
        [:]
    }

    /// junit.xml with the test cases of the run's test steps merged in.
    public static func mergeJUnit(_ document: String, summary: JSONValue, run: String) -> String {
        document
    }
}
