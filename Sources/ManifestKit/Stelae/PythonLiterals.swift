import Foundation
import SmokeCore

/// The module-level constants of a Python file whose values are literals (dicts, lists, tuples,
/// strings, numbers, True/False/None) or names of earlier constants: how current Stelae keeps
/// its catalog defaults (`stelae_lib/catalog_defaults.py`). Reading them here, rather than
/// running Python, keeps a render free of an interpreter and its import side effects; anything
/// else in the file (imports, functions, type annotations) is skipped, and a constant whose
/// value is not a literal is an error only when someone asks for it.
public struct PythonLiterals: Sendable {
    public let path: String
    private var values: [String: JSONValue] = [:]
    /// Constants that could not be read, with why and where.
    private var unreadable: [String: (line: Int, reason: String)] = [:]

    public init(path: String) throws(SmokeError) {
        let data = try FileIO.read(path: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw SmokeError(
                .invalidPythonDefaults, "\(path): not UTF-8 text", fields: ["file": .string(path)])
        }
        try self.init(source: text, path: path)
    }

    public init(source: String, path: String) throws(SmokeError) {
        self.path = path
        let tokens: [PythonToken]
        do {
            tokens = try PythonTokenizer.tokenize(source)
        } catch {
            throw Self.failure(path, error.line, error.reason)
        }
        var reader = StatementReader(tokens: tokens)
        while let line = reader.nextStatement() {
            let statement = Array(line)
            guard statement.count >= 3, case .name(let name) = statement[0].kind, statement[0].column == 0 else {
                continue
            }
            // NAME = value, or NAME: annotation = value.
            var index = 1
            if statement[index].kind == .punct(":") {
                while index < statement.count, statement[index].kind != .punct("=") { index += 1 }
            }
            guard index < statement.count - 1, statement[index].kind == .punct("=") else { continue }
            var parser = LiteralParser(tokens: Array(statement[(index + 1)...]), known: values)
            do {
                let value = try parser.parseValue()
                try parser.expectEnd()
                values[name] = value
                unreadable[name] = nil
            } catch {
                unreadable[name] = (error.line, error.reason)
                values[name] = nil
            }
        }
    }

    /// The value of a module-level constant; missing or unreadable is an error naming the file.
    public func value(_ name: String) throws(SmokeError) -> JSONValue {
        if let value = values[name] { return value }
        if let problem = unreadable[name] {
            throw Self.failure(path, problem.line, "\(name) is not a literal: \(problem.reason)")
        }
        throw SmokeError(
            .invalidPythonDefaults, "\(path): defines no constant \(name)",
            fields: ["file": .string(path), "name": .string(name)])
    }

    static func failure(_ path: String, _ line: Int, _ reason: String) -> SmokeError {
        SmokeError(
            .invalidPythonDefaults, "\(path):\(line): \(reason)",
            fields: ["file": .string(path), "line": .int(Int64(line))])
    }
}

struct PythonSyntaxIssue: Error {
    var line: Int
    var reason: String
}

struct PythonToken: Equatable {
    enum Kind: Equatable {
        case name(String)
        case string(String)
        case int(Int64)
        case double(Double)
        case punct(Character)
        /// The end of a logical line (a newline outside brackets).
        case newline
    }

    var kind: Kind
    var line: Int
    var column: Int
}

/// Splits the tokens into logical lines; the caller keeps those that start at column 0 (indented
/// lines are bodies of functions and classes).
struct StatementReader {
    let tokens: [PythonToken]
    var position = 0

    mutating func nextStatement() -> ArraySlice<PythonToken>? {
        while position < tokens.count {
            let start = position
            while position < tokens.count, tokens[position].kind != .newline { position += 1 }
            let statement = tokens[start..<position]
            position += 1
            if !statement.isEmpty { return statement }
        }
        return nil
    }
}

enum PythonTokenizer {
    static func tokenize(_ source: String) throws(PythonSyntaxIssue) -> [PythonToken] {
        let scalars = Array(source.unicodeScalars)
        var tokens: [PythonToken] = []
        var index = 0
        var line = 1
        var lineStart = 0
        var depth = 0

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let column = index - lineStart
            switch scalar {
            case "\n":
                if depth == 0, let last = tokens.last, last.kind != .newline {
                    tokens.append(PythonToken(kind: .newline, line: line, column: column))
                }
                index += 1
                line += 1
                lineStart = index
            case " ", "\t", "\r", "\u{0C}":
                index += 1
            case "\\" where peek(1) == "\n":
                index += 2
                line += 1
                lineStart = index
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                let startLine = line
                let text = try readString(scalars, &index, &line, &lineStart, raw: false)
                tokens.append(PythonToken(kind: .string(text), line: startLine, column: column))
            case "0"..."9", ".":
                if scalar == ".", !(peek(1).map { ("0"..."9").contains($0) } ?? false) {
                    tokens.append(PythonToken(kind: .punct("."), line: line, column: column))
                    index += 1
                    continue
                }
                var text = ""
                while let next = peek(),
                    next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "."
                        || next == "_" || ((next == "+" || next == "-") && (text.last == "e" || text.last == "E"))
                {
                    if next != "_" { text.unicodeScalars.append(next) }
                    index += 1
                }
                if let number = Int64(text) {
                    tokens.append(PythonToken(kind: .int(number), line: line, column: column))
                } else if !text.hasPrefix("0x"), let number = Double(text), number.isFinite {
                    tokens.append(PythonToken(kind: .double(number), line: line, column: column))
                } else {
                    throw PythonSyntaxIssue(line: line, reason: "unsupported number \(text)")
                }
            default:
                if scalar.properties.isAlphabetic || scalar == "_" {
                    var name = ""
                    while let next = peek(), next.properties.isAlphabetic || next == "_" || ("0"..."9").contains(next) {
                        name.unicodeScalars.append(next)
                        index += 1
                    }
                    // String prefixes: r"..." is read raw; f-strings and bytes are not literals we can use.
                    if let quote = peek(), quote == "\"" || quote == "'", name.count <= 2 {
                        let prefix = name.lowercased()
                        guard prefix == "r" || prefix == "u" else {
                            throw PythonSyntaxIssue(line: line, reason: "\(name)-prefixed strings are not supported")
                        }
                        let startLine = line
                        let text = try readString(scalars, &index, &line, &lineStart, raw: prefix == "r")
                        tokens.append(PythonToken(kind: .string(text), line: startLine, column: column))
                        continue
                    }
                    tokens.append(PythonToken(kind: .name(name), line: line, column: column))
                    continue
                }
                if "([{".unicodeScalars.contains(scalar) { depth += 1 }
                if ")]}".unicodeScalars.contains(scalar) { depth = max(0, depth - 1) }
                tokens.append(PythonToken(kind: .punct(Character(scalar)), line: line, column: column))
                index += 1
            }
        }
        if let last = tokens.last, last.kind != .newline {
            tokens.append(PythonToken(kind: .newline, line: line, column: 0))
        }
        return tokens
    }

    /// A string literal starting at `index` (on its quote), single or triple quoted.
    static func readString(
        _ scalars: [Unicode.Scalar], _ index: inout Int, _ line: inout Int, _ lineStart: inout Int, raw: Bool
    ) throws(PythonSyntaxIssue) -> String {
        let quote = scalars[index]
        let triple = index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote
        index += triple ? 3 : 1
        var text = String.UnicodeScalarView()
        while true {
            guard index < scalars.count else { throw PythonSyntaxIssue(line: line, reason: "unterminated string") }
            let scalar = scalars[index]
            if scalar == quote {
                if !triple {
                    index += 1
                    return String(text)
                }
                if index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                    index += 3
                    return String(text)
                }
            }
            if scalar == "\n" {
                guard triple else { throw PythonSyntaxIssue(line: line, reason: "unterminated string") }
                line += 1
                lineStart = index + 1
            }
            if scalar == "\\", !raw, index + 1 < scalars.count {
                index += 1
                let escaped = scalars[index]
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "0": text.append("\0")
                case "\\", "'", "\"": text.append(escaped)
                case "\n":
                    line += 1
                    lineStart = index + 1
                case "u", "x", "U":
                    let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                    guard index + width < scalars.count,
                        let code = UInt32(
                            String(String.UnicodeScalarView(scalars[(index + 1)...(index + width)])), radix: 16),
                        let decoded = Unicode.Scalar(code)
                    else { throw PythonSyntaxIssue(line: line, reason: "invalid \\\(escaped) escape") }
                    text.append(decoded)
                    index += width
                default:
                    text.append("\\")
                    text.append(escaped)
                }
                index += 1
                continue
            }
            text.append(scalar)
            index += 1
        }
    }
}

/// A literal expression over tokens, with names resolved against the constants read so far.
struct LiteralParser {
    let tokens: [PythonToken]
    let known: [String: JSONValue]
    var position = 0

    var line: Int { position < tokens.count ? tokens[position].line : (tokens.last?.line ?? 0) }

    mutating func expectEnd() throws(PythonSyntaxIssue) {
        guard position == tokens.count else { throw PythonSyntaxIssue(line: line, reason: "unexpected \(describe())") }
    }

    func describe() -> String {
        guard position < tokens.count else { return "end of statement" }
        switch tokens[position].kind {
        case .name(let name): return name
        case .punct(let character): return "'\(character)'"
        case .string: return "string"
        case .int, .double: return "number"
        case .newline: return "end of line"
        }
    }

    mutating func parseValue() throws(PythonSyntaxIssue) -> JSONValue {
        guard position < tokens.count else { throw PythonSyntaxIssue(line: line, reason: "missing value") }
        let token = tokens[position]
        position += 1
        switch token.kind {
        case .string(var text):
            // Adjacent literals concatenate, as in Python.
            while position < tokens.count, case .string(let more) = tokens[position].kind {
                text += more
                position += 1
            }
            return .string(text)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .punct("-"):
            switch try parseValue() {
            case .int(let number): return .int(-number)
            case .double(let number): return .double(-number)
            default: throw PythonSyntaxIssue(line: token.line, reason: "'-' before a value that is not a number")
            }
        case .name("True"): return .bool(true)
        case .name("False"): return .bool(false)
        case .name("None"): return .null
        case .name(let name):
            guard let value = known[name] else {
                throw PythonSyntaxIssue(
                    line: token.line, reason: "\(name) is not a constant defined earlier as a literal")
            }
            if position < tokens.count, tokens[position].kind == .punct("(") || tokens[position].kind == .punct("[") {
                throw PythonSyntaxIssue(line: token.line, reason: "calls and subscripts are not literals")
            }
            return value
        case .punct("{"):
            var object: [String: JSONValue] = [:]
            while !(try consume("}")) {
                let keyLine = line
                guard case .string(let key) = try parseValue() else {
                    throw PythonSyntaxIssue(line: keyLine, reason: "a dict key must be a string to become JSON")
                }
                guard try consume(":") else {
                    throw PythonSyntaxIssue(line: line, reason: "expected ':' after dict key")
                }
                object[key] = try parseValue()
                if !(try consume(",")) {
                    guard try consume("}") else { throw PythonSyntaxIssue(line: line, reason: "expected ',' or '}'") }
                    break
                }
            }
            return .object(object)
        case .punct("["), .punct("("):
            let close: Character = token.kind == .punct("[") ? "]" : ")"
            var items: [JSONValue] = []
            while !(try consume(close)) {
                items.append(try parseValue())
                if !(try consume(",")) {
                    guard try consume(close) else {
                        throw PythonSyntaxIssue(line: line, reason: "expected ',' or '\(close)'")
                    }
                    break
                }
            }
            return .array(items)
        default:
            position -= 1
            throw PythonSyntaxIssue(line: token.line, reason: "unexpected \(describe())")
        }
    }

    mutating func consume(_ character: Character) throws(PythonSyntaxIssue) -> Bool {
        guard position < tokens.count else {
            throw PythonSyntaxIssue(line: line, reason: "unexpected end of statement")
        }
        guard tokens[position].kind == .punct(character) else { return false }
        position += 1
        return true
    }
}
