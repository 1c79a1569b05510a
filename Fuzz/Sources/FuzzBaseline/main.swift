import Foundation
import FuzzDriver
import SmokeCore

@testable import GitKit

/// git-clean-check snapshot baselines (`verify --baseline`). Never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBaseline(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    guard let document = try? JSONValue.parse(data, source: "baseline.json") else { return 0 }
    _ = try? StatusSnapshot.baseline(from: document, source: "baseline.json")
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzBaseline))
