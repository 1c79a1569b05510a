import CodexKit
import Foundation
import FuzzDriver
import SmokeCore

/// Stage files and scripted-model files: parsed, and every stage turned into its default script.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStageFile(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    guard let document = try? JSONValue.parse(data, source: "stages.json") else { return 0 }
    if let stages = try? StageFile.parse(document, source: "stages.json") {
        for stage in stages {
            let script = ModelScript.calling(stage, defaultServer: "stelae")
            for index in 0..<4 { _ = script.step(at: index) }
        }
    }
    if let script = try? ModelScript.parse(document, source: "script.json", defaultServer: "stelae") {
        for index in 0..<4 { _ = script.step(at: index) }
    }
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzStageFile))
