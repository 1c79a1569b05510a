import Foundation
import FuzzDriver
import ManifestKit
import SmokeCore

/// Template rendering: the first line holds `NAME=value;NAME=value` variables, the rest is the
/// JSON template. Rendering never traps; a rendered template with every placeholder defined
/// holds no placeholder it could have filled.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let newline = data.firstIndex(of: 0x0A) ?? data.endIndex
    var variables: [String: String] = [:]
    for pair in String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: ";") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { variables[String(parts[0])] = String(parts[1]) }
    }
    let body = newline < data.endIndex ? data[(newline + 1)...] : Data()
    guard let template = try? ManifestJSON.parse(Data(body), source: "fuzz-template.json") else { return 0 }
    let names = TemplateRenderer.placeholders(in: template)
    _ = try? TemplateRenderer.render(template, variables: variables, source: "fuzz-template.json")
    var all = variables
    for name in names where all[name] == nil { all[name] = "v" }
    guard (try? TemplateRenderer.render(template, variables: all, source: "fuzz-template.json")) != nil else {
        fatalError("every placeholder was defined, yet rendering failed")
    }
    return 0
}

exit(stelae_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzzTemplate))
