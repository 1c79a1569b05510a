// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the parsers of stelae-smoke. Kept out of the main package: they call
// libFuzzer's driver, so they only link when built with
//   swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
// (`make fuzz` does that, into ../.build-fuzz). Seeds: Corpus/<target>/.
let targets = [
    "FuzzJSON", "FuzzEnvFile", "FuzzTemplate", "FuzzCatalog", "FuzzDrift", "FuzzTranscript", "FuzzStageFile",
    "FuzzBaseline", "FuzzSSE",
]

let package = Package(
    name: "stelae-smoke-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "stelae-smoke", path: "..")],
    targets: [.target(name: "FuzzDriver")]
        + targets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzDriver",
                    .product(name: "SmokeCore", package: "stelae-smoke"),
                    .product(name: "ManifestKit", package: "stelae-smoke"),
                    .product(name: "CodexKit", package: "stelae-smoke"),
                    .product(name: "GitKit", package: "stelae-smoke"),
                    .product(name: "ProbeKit", package: "stelae-smoke"),
                ])
        },
    swiftLanguageModes: [.v6]
)
