import Foundation
import FuzzDriver
import SmokeCore

/// JSONValue.parse never traps; skipping a document accepts exactly what building it accepts;
/// what it accepts survives the canonical writer unchanged (compact and pretty), and redaction
/// keeps it a document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let parsed = try? JSONValue.parse(data, source: "fuzz")
    let skipped = data.withUnsafeBytes { raw in
        var reader = JSONReader(raw)
        do throws(JSONReader.Failure) {
            // JSONValue.parse alone tolerates a byte order mark; inputs with one are not compared.
            if raw.drop(while: { [0x20, 0x09, 0x0A, 0x0D].contains($0) }).starts(with: [0xEF, 0xBB, 0xBF]) {
                return parsed != nil
            }
            try reader.skipValue()
            try reader.finish()
            return true
        } catch {
            return false
        }
    }
    if skipped != (parsed != nil) {
        fatalError(
            "skipping \(skipped ? "accepted" : "rejected") what building \(parsed != nil ? "accepted" : "rejected")")
    }
    guard let value = parsed else { return 0 }
    for pretty in [false, true] {
        guard let again = try? JSONValue.parse(value.encoded(pretty: pretty), source: "re-encoded"), again == value
        else {
            fatalError("round trip changed the value (pretty: \(pretty)): \(value.encodedString())")
        }
    }
    _ = Redactor(environment: ["FUZZ_TOKEN": "secret-value"]).redact(value)
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzJSON))
