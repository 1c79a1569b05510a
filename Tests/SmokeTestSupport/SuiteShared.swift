import Testing

/// One value for a whole suite (`@Suite(.shared { try Server() })`): made off the cooperative pool
/// before the suite's first test and released after its last, which stops what it runs (its
/// deinit). A test reads it with `try SuiteShared.value(Server.self)`. Only tests that leave the
/// value as they found it share it (each server start is about a second of Python imports); a
/// test that changes it makes one of its own.
public struct SuiteShared<Value: AnyObject & Sendable>: SuiteTrait, TestScoping {
    let make: @Sendable () throws -> Value

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let value = try await offPool { try make() }
        var values = SuiteSharedValues.current
        values[ObjectIdentifier(Value.self)] = value
        try await SuiteSharedValues.$current.withValue(values) { try await function() }
    }

    /// The value of type `Value` the enclosing suite shares; fails the test when it shares none.
    public static func value(_ type: Value.Type) throws -> Value {
        let value = SuiteSharedValues.current[ObjectIdentifier(type)] as? Value
        return try #require(value, "the suite has no .shared trait making a \(type)")
    }
}

/// The suite-shared values in scope, by type (a generic type cannot hold a task-local of its own).
enum SuiteSharedValues {
    @TaskLocal static var current: [ObjectIdentifier: any Sendable] = [:]
}

extension Trait {
    /// `make`'s value, shared by every test of the suite (`SuiteShared`).
    public static func shared<Value>(_ make: @escaping @Sendable () throws -> Value) -> Self
    where Self == SuiteShared<Value> {
        Self(make: make)
    }
}
