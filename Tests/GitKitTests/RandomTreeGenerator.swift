import Foundation
import SmokeCore

/// Writes a bash script that builds one random repository with the git CLI: a committed tree
/// (or none, for an unborn branch), then a random mix of worktree and index changes of every
/// kind the agreement must cover.
struct RandomTreeGenerator {
    enum Change: String, CaseIterable {
        case modify, delete, stagedAdd, stagedDelete, stagedRename, stagedRenameModified, addedModified
        case stagedModify, stagedModifyModified, untrackedNested, ignored, removedFromIndex, typeChange
        case intentToAdd
    }

    /// Name parts with spaces, non-ASCII, quotes and dashes: git quotes these in porcelain
    /// output unless -z, which is the point.
    static let segments = [
        "a", "b c", "é", "日本", "x-y", "dir", "q\"t", "über alles", "-dash", "z.txt", "ñ", "back\\slash", "$dollar",
    ]

    var random: SplitMix64
    private var files: [String] = []
    private var directories: Set<String> = []
    private var usedPaths: Set<String> = []
    private var counter = 0
    private(set) var changes: [Change] = []

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func script() -> String {
        var lines = ["git init -q -b main ."]
        lines.append("printf '%s\\n' '*.log' 'ignored-dir/' > .gitignore")
        let committed = Int.random(in: 0..<10, using: &random) != 0
        for _ in 0..<Int.random(in: 3...12, using: &random) {
            let path = freshPath()
            lines.append(contentsOf: write(path))
            files.append(path)
        }
        if committed {
            lines.append("git add -A && git commit -q -m base")
        } else {
            // Unborn branch: some files staged, the rest untracked.
            for path in files where Bool.random(using: &random) { lines.append("git add -- \(q(path))") }
            return lines.joined(separator: "\n")
        }
        var untouched = files.shuffled(using: &random)
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            let change = Change.allCases.randomElement(using: &random)!
            changes.append(change)
            switch change {
            case .stagedAdd, .addedModified, .untrackedNested, .ignored, .intentToAdd:
                lines.append(contentsOf: create(change))
            default:
                guard let target = untouched.popLast() else { continue }
                lines.append(contentsOf: alter(target, change))
            }
        }
        return lines.joined(separator: "\n")
    }

    private mutating func create(_ change: Change) -> [String] {
        switch change {
        case .stagedAdd:
            let path = freshPath()
            return write(path) + ["git add -- \(q(path))"]
        case .addedModified:
            let path = freshPath()
            return write(path) + ["git add -- \(q(path))"] + append(path)
        case .intentToAdd:
            let path = freshPath()
            return write(path) + ["git add -N -- \(q(path))"]
        case .untrackedNested:
            let depth = Int.random(in: 2...4, using: &random)
            let path = freshPath(minDepth: depth, maxDepth: depth)
            return write(path)
        default:  // .ignored
            let path =
                Bool.random(using: &random)
                ? freshPath(suffix: ".log") : "ignored-dir/\(freshName())/\(freshName())"
            return write(path)
        }
    }

    private mutating func alter(_ path: String, _ change: Change) -> [String] {
        switch change {
        case .modify: return rewrite(path)
        case .delete: return ["rm -- \(q(path))"]
        case .stagedDelete: return ["git rm -q -- \(q(path))"]
        case .stagedRename, .stagedRenameModified:
            let target = freshPath()
            var lines = mkdirParent(target) + ["git mv -- \(q(path)) \(q(target))"]
            if change == .stagedRenameModified { lines += append(target) }
            return lines
        case .stagedModify: return rewrite(path) + ["git add -- \(q(path))"]
        case .stagedModifyModified: return rewrite(path) + ["git add -- \(q(path))"] + append(path)
        case .removedFromIndex: return ["git rm -q --cached -- \(q(path))"]
        case .typeChange: return ["rm -- \(q(path))", "ln -s -- target-\(counter) \(q(path))"]
        default: return []
        }
    }

    /// Unique content per file, several lines, so rename detection has exactly one answer.
    private mutating func content() -> String {
        counter += 1
        return (0..<Int.random(in: 2...5, using: &random)).map { line in
            "file \(counter) line \(line) \(String(random.next(), radix: 36))"
        }.joined(separator: "\n")
    }

    private mutating func write(_ path: String) -> [String] {
        mkdirParent(path) + ["printf '%s\\n' \(q(content())) > \(q(path))"]
    }

    /// Replaces the content; sometimes with the same length, which only a content check catches.
    private mutating func rewrite(_ path: String) -> [String] {
        if Bool.random(using: &random) {
            return ["printf '%s\\n' \(q(content())) > \(q(path))"]
        }
        return ["sed -i '1s/^f/g/' -- \(q(path))"]
    }

    private mutating func append(_ path: String) -> [String] {
        ["printf 'appended %s\\n' \(counter) >> \(q(path))"]
    }

    private func mkdirParent(_ path: String) -> [String] {
        guard let slash = path.lastIndex(of: "/") else { return [] }
        return ["mkdir -p -- \(q(String(path[..<slash])))"]
    }

    private mutating func freshName(suffix: String = "") -> String {
        counter += 1
        let segment = Self.segments.randomElement(using: &random)!
        return "\(segment)\(counter)\(suffix)"
    }

    /// A path not used before, whose directories never collide with a file. Half the time it
    /// lands under an existing directory, so changes share parents with tracked files.
    private mutating func freshPath(minDepth: Int = 0, maxDepth: Int = 3, suffix: String = "") -> String {
        while true {
            var parts: [String] = []
            // Sorted: Set order changes between processes, and a seed must replay exactly.
            if Bool.random(using: &random), let directory = directories.sorted().randomElement(using: &random) {
                parts = directory.split(separator: "/").map(String.init)
            }
            let depth = Int.random(in: minDepth...maxDepth, using: &random)
            while parts.count < depth { parts.append(freshName()) }
            parts.append(freshName(suffix: suffix))
            let path = parts.joined(separator: "/")
            guard !usedPaths.contains(path) else { continue }
            usedPaths.insert(path)
            for end in 1..<parts.count { directories.insert(parts[0..<end].joined(separator: "/")) }
            return path
        }
    }

    private func q(_ text: String) -> String { GitCLI.quote(text) }
}
