import SmokeCore

/// junit.xml for CI: one `<testcase>` per step of the summary; a failed step carries a
/// `<failure>` typed with its error code (the first also quotes the stack log tail), a skipped
/// step a `<skipped>`.
public enum JUnitReport {
    public static func document(summary: JSONValue) -> String {
        let steps = summary["steps"]?.arrayValue ?? []
        let firstFailed = steps.firstIndex { $0["status"] == "failed" }
        var cases: [String] = []
        for (index, step) in steps.enumerated() {
            let message = text(step["error_message"])
            var body = ""
            switch step["status"] {
            case "failed":
                var detail = "\(message)\nfile: \(ChainText.show(step["file"]))"
                if index == firstFailed, let tail = summary["stack_log_tail"], tail.isTruthy {
                    detail +=
                        "\nstack log (last lines):\n"
                        + (tail.arrayValue ?? []).map { ChainText.show($0) }.joined(separator: "\n")
                }
                let code = step["error_code"].flatMap { $0.isTruthy ? ChainText.show($0) : nil } ?? "failed"
                body =
                    "<failure type=\(quoteAttribute(code)) message=\(quoteAttribute(message))>\(escape(detail))</failure>"
            case "skipped":
                body = "<skipped message=\(quoteAttribute(message))/>"
            default:
                break
            }
            cases.append(
                "    <testcase classname=\"smoke\" name=\(quoteAttribute(ChainText.show(step["step"]))) "
                    + "time=\"\(seconds(step["elapsed_ms"]))\">\(StageTools.junitProperties(step))\(body)</testcase>")
        }
        let failures = steps.count { $0["status"] == "failed" }
        let skipped = steps.count { $0["status"] == "skipped" }
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" skipped=\"\(skipped)\""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"smoke\" \(counts)>\n"
            + "  <testsuite name=\"smoke\" \(counts) time=\"\(seconds(summary["elapsed_ms"]))\">\n"
            + cases.joined(separator: "\n") + "\n  </testsuite>\n</testsuites>\n"
    }

    /// A message or "" (`step.get("error_message") or ""`).
    private static func text(_ value: JSONValue?) -> String {
        guard let value, value.isTruthy else { return "" }
        return ChainText.show(value)
    }

    /// Milliseconds as seconds with three decimals.
    private static func seconds(_ milliseconds: JSONValue?) -> String {
        ChainText.fixed((milliseconds?.numberValue ?? 0) / 1000, digits: 3)
    }

    /// Element text: `&`, `<`, `>` escaped (xml.sax.saxutils.escape), and what XML 1.0 cannot hold at all
    /// (control characters a stack log may carry, such as terminal colour codes) replaced by U+FFFD,
    /// so the document stays well-formed.
    static func escape(_ text: String, attribute: Bool = false) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\n" where attribute: output += "&#10;"
            case "\r" where attribute: output += "&#13;"
            case "\t" where attribute: output += "&#9;"
            case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
                    output += "\u{FFFD}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// An attribute value with its quotes (xml.sax.saxutils.quoteattr): double quotes unless the
    /// value holds one and no single quote.
    static func quoteAttribute(_ value: String) -> String {
        let escaped = escape(value, attribute: true)
        guard escaped.contains("\"") else { return "\"\(escaped)\"" }
        guard escaped.contains("'") else { return "'\(escaped)'" }
        var quoted = "\""
        for scalar in escaped.unicodeScalars {
            if scalar == "\"" { quoted += "&quot;" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }
}
