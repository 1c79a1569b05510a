import Foundation
import FuzzDriver
import ManifestKit
import SmokeCore

/// tools/list answers and curated manifests as drift reads them. Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDrift(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    guard let value = try? JSONValue.parse(data, source: "stdin") else { return 0 }
    let live = try? Drift.liveNames(value, source: "stdin")
    let expected = try? Drift.manifestNames(value, source: "manifest.json")
    if let live, let expected { _ = DriftReport(expected: expected, live: live).drifted }
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzDrift))
