import Foundation
import FuzzDriver
import SmokeCore

/// JSONValue.parse never traps, and what it accepts survives the canonical writer unchanged
/// (compact and pretty), and redaction keeps it a document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    guard let value = try? JSONValue.parse(data, source: "fuzz") else { return 0 }
    for pretty in [false, true] {
        guard let again = try? JSONValue.parse(value.encoded(pretty: pretty), source: "re-encoded"), again == value else {
            fatalError("round trip changed the value (pretty: \(pretty)): \(value.encodedString())")
        }
    }
    _ = Redactor(environment: ["FUZZ_TOKEN": "secret-value"]).redact(value)
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzJSON))
