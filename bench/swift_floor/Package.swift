// swift-tools-version: 6.1
import PackageDescription

// The memory floor of a Swift tool on libgit2 (bench/memory.sh): bench/git_floor.c's own status
// code, started from a Swift `main` without and with ArgumentParser, so what they add to the C
// program is the Swift runtime's and the parser's alone. Built like the tools (static stdlib).
let package = Package(
    name: "swift-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")],
    targets: [
        .target(name: "CGitFloor", linkerSettings: [.linkedLibrary("git2")]),
        .executableTarget(name: "swift-floor", dependencies: ["CGitFloor"]),
        .executableTarget(
            name: "swift-floor-parsed",
            dependencies: ["CGitFloor", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
