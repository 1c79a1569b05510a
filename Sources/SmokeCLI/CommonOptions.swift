import ArgumentParser

/// Flags every tool and subcommand accepts.
public struct CommonOptions: ParsableArguments, Sendable {
    @Flag(help: "Pretty-print the JSON answer on stdout.")
    public var pretty = false

    @Flag(help: "Print no progress on stderr.")
    public var quiet = false

    public init() {}
}
