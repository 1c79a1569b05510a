import Foundation
import SmokeCore

/// One line of `git status --porcelain=v1`: a path with its index and worktree letters.
/// `origPath` is the source of a staged rename (`R  old -> new`).
public struct StatusEntry: Sendable, Hashable {
    /// The letters porcelain v1 uses: unmodified, modified, added, deleted, renamed,
    /// type changed, unmerged, untracked.
    public static let codes: Set<Character> = [" ", "M", "A", "D", "R", "T", "U", "?"]
    static let codeBytes: Set<UInt8> = Set(" MADRTU?".utf8)

    public var path: String
    public var index: Character
    public var worktree: Character
    public var origPath: String?

    public init(path: String, index: Character, worktree: Character, origPath: String? = nil) {
        self.path = path
        self.index = index
        self.worktree = worktree
        self.origPath = origPath
    }

    /// The two-letter code as git prints it, e.g. `AM` or `??`.
    public var code: String { "\(index)\(worktree)" }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "path": .string(path), "index": .string(String(index)), "worktree": .string(String(worktree)),
        ]
        if let origPath { object["orig_path"] = .string(origPath) }
        return .object(object)
    }

    /// Git's order: by path bytes; for one path listed twice (`D  a` and `?? a` after
    /// `git rm --cached a`) the tracked line comes first, as git prints it.
    public static func gitOrder(_ lhs: StatusEntry, _ rhs: StatusEntry) -> Bool {
        let order = compareBytes(lhs.path, rhs.path)
        if order != 0 { return order < 0 }
        return (lhs.index == "?" ? 1 : 0) < (rhs.index == "?" ? 1 : 0)
    }

    /// memcmp order of the UTF-8 bytes (negative, zero, positive), in place for native strings:
    /// sorting ten thousand entries must not copy every path twice per comparison.
    static func compareBytes(_ left: String, _ right: String) -> Int {
        let inPlace = left.utf8.withContiguousStorageIfAvailable { a in
            right.utf8.withContiguousStorageIfAvailable { b -> Int in
                let common = min(a.count, b.count)
                if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                    let order = memcmp(pa, pb, common)
                    if order != 0 { return Int(order) }
                }
                return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
            }
        }
        if let order = inPlace ?? nil { return order }
        if left.utf8.elementsEqual(right.utf8) { return 0 }
        return left.utf8.lexicographicallyPrecedes(right.utf8) ? -1 : 1
    }
}

extension StatusEntry {
    /// Reads an entry back from a snapshot file; `where` names the element for the error (built
    /// only for an error: a baseline can hold tens of thousands of entries).
    init(json: JSONValue, where location: @autoclosure () -> String) throws(SmokeError) {
        guard let object = json.objectValue else {
            throw SmokeError(.invalidBaseline, "\(location()): expected an object, found \(json.typeName)")
        }
        guard let path = object["path"]?.stringValue, !path.isEmpty else {
            throw SmokeError(.invalidBaseline, "\(location()).path: expected a non-empty string")
        }
        func letter(_ key: String) throws(SmokeError) -> Character {
            // One ASCII byte from the porcelain set (checked on the bytes: no grapheme counting).
            guard let text = object[key]?.stringValue, text.utf8.count == 1, let byte = text.utf8.first,
                Self.codeBytes.contains(byte)
            else {
                throw SmokeError(
                    .invalidBaseline,
                    "\(location()).\(key): expected one of \" \", M, A, D, R, T, U, ? (found \(object[key]?.encodedString() ?? "nothing"))"
                )
            }
            return Character(Unicode.Scalar(byte))
        }
        let index = try letter("index")
        let worktree = try letter("worktree")
        var origPath: String?
        if let value = object["orig_path"], !value.isNull {
            guard let text = value.stringValue else {
                throw SmokeError(
                    .invalidBaseline, "\(location()).orig_path: expected a string, found \(value.typeName)")
            }
            origPath = text
        }
        self.init(path: path, index: index, worktree: worktree, origPath: origPath)
    }
}
