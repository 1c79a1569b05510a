import Foundation
import FuzzDriver
import ManifestKit
import SmokeCore

/// `.env` parsing and `${…}` expansion: any bytes end in values or a SmokeError, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvFile(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : count), as: UTF8.self)
    let pairs = EnvFile.parse(text)
    let layers = [
        EnvLayer(source: "process", dictionary: ["HOME": "/home/fuzz"], expands: false),
        EnvLayer(source: "fuzz.env", values: pairs),
    ]
    _ = try? ResolvedEnvironment.resolve(layers)
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzEnvFile))
