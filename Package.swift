// swift-tools-version: 6.1
import PackageDescription

// Three layers. SmokeCore is the core every other target shares (no ArgumentParser, no `exit`).
// Each Kit is one domain library over SmokeCore only. SmokeCLI owns the command line: flags,
// printing the answer and the exit status. Each tool is a thin executable over SmokeCLI and its
// Kit(s); it links what it needs and nothing more (port-preflight links neither libgit2 nor HTTP).

// Only the command-line layer and the tools' own command types parse flags.
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "stelae-smoke",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "render-manifest", targets: ["render-manifest"]),
        .executable(name: "port-preflight", targets: ["port-preflight"]),
        .executable(name: "probe-initialize", targets: ["probe-initialize"]),
        .executable(name: "codex-stage", targets: ["codex-stage"]),
        .executable(name: "git-clean-check", targets: ["git-clean-check"]),
        .executable(name: "smoke-report", targets: ["smoke-report"]),
        // For the fuzz package under Fuzz/ (it depends on this one by path and reaches the parsers).
        .library(name: "SmokeCore", targets: ["SmokeCore"]),
        .library(name: "ManifestKit", targets: ["ManifestKit"]),
        .library(name: "CodexKit", targets: ["CodexKit"]),
        .library(name: "GitKit", targets: ["GitKit"]),
        .library(name: "ProbeKit", targets: ["ProbeKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // CodexKit only: child process, config.toml editing.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // ProbeKit only: the MCP HTTP client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // ProbeKit's client and CodexKit's scripted model server.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The core: JSON value, reader and writer, the result envelope, exit and error codes,
        // redaction, atomic writes, the version.
        .target(name: "SmokeCore"),
        // The command-line layer: common flags, parsing, printing the envelope, exiting.
        .target(
            name: "SmokeCLI",
            dependencies: ["SmokeCore", argumentParser]
        ),
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "GitKit", dependencies: ["SmokeCore", "CGit2"]),
        .target(name: "PortKit", dependencies: ["SmokeCore"]),
        .target(name: "ManifestKit", dependencies: ["SmokeCore"]),
        .target(
            name: "ProbeKit",
            dependencies: [
                "SmokeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CodexKit",
            dependencies: [
                "SmokeCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "render-manifest", dependencies: ["SmokeCLI", argumentParser, "ManifestKit", "GitKit", "SmokeCore"]),
        .executableTarget(name: "port-preflight", dependencies: ["SmokeCLI", argumentParser, "PortKit", "SmokeCore"]),
        .executableTarget(
            name: "probe-initialize", dependencies: ["SmokeCLI", argumentParser, "ProbeKit", "SmokeCore"]),
        .executableTarget(
            name: "codex-stage", dependencies: ["SmokeCLI", argumentParser, "CodexKit", "ManifestKit", "SmokeCore"]),
        .executableTarget(name: "git-clean-check", dependencies: ["SmokeCLI", argumentParser, "GitKit", "SmokeCore"]),
        // The smoke chain's bookkeeping (ledger, step answers, summary.json, junit.xml, secret scan).
        .target(name: "SmokeReportKit", dependencies: ["SmokeCore", "CodexKit", "ManifestKit"]),
        .executableTarget(
            name: "smoke-report", dependencies: ["SmokeCLI", argumentParser, "SmokeReportKit", "SmokeCore"]),

        // Test helpers shared by every test target: temp dirs, child processes, the pinned venv.
        .target(name: "SmokeTestSupport", dependencies: ["SmokeCore"], path: "Tests/SmokeTestSupport"),
        .testTarget(name: "SmokeCoreTests", dependencies: ["SmokeCore", "SmokeTestSupport"]),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "SmokeTestSupport"]),
        .testTarget(name: "PortKitTests", dependencies: ["PortKit", "SmokeTestSupport"]),
        .testTarget(name: "ManifestKitTests", dependencies: ["ManifestKit", "SmokeTestSupport"]),
        .testTarget(name: "ProbeKitTests", dependencies: ["ProbeKit", "SmokeTestSupport"]),
        .testTarget(name: "CodexKitTests", dependencies: ["CodexKit", "SmokeTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SmokeCore", "SmokeTestSupport"]),
        .testTarget(name: "SmokeReportKitTests", dependencies: ["SmokeReportKit", "SmokeTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
