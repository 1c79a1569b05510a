extension Duration {
    /// Whole milliseconds, for `elapsed_ms` and friends.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
