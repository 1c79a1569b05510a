import CGit2
import Foundation

/// Splits a working tree into groups of literal path prefixes of about equal size, so that
/// several libgit2 status runs, one per group (pathspec with `GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH`),
/// together walk exactly the tree one run would walk.
///
/// A unit is a top-level name, or, for a directory much larger than a group's share, the names
/// inside it (recursively). The names come from the index (tracked paths, with their entry count
/// as the weight) and from the directory itself (untracked and ignored names, weight 1), so a
/// split directory's units still cover everything libgit2 would find in it. Only real
/// directories are split (`lstat`, not a symlink to one), and `.git` is never a unit.
struct StatusPartition {
    struct Unit {
        /// The path prefix, without a trailing slash (bytes as stored, not necessarily UTF-8).
        var path: [UInt8]
        var weight: Int
        /// Index entries under this unit: `lower..<upper` (empty for a name the index lacks).
        var lower: Int
        var upper: Int
    }

    /// At most this many directory levels are split.
    static let maximumDepth = 8

    private let index: OpaquePointer
    private let count: Int
    private let workdir: [UInt8]

    /// `index` must stay unchanged while the partition is built; `workdir` ends with a slash.
    init(index: OpaquePointer, workdir: String) {
        self.index = index
        count = git_index_entrycount(index)
        self.workdir = Array(workdir.utf8)
    }

    private func path(_ position: Int) -> UnsafePointer<CChar> {
        if let path = git_index_get_byindex(index, position)?.pointee.path { return path }
        return UnsafeRawPointer(Self.emptyPath.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static let emptyPath: StaticString = ""

    /// `groupCount` groups of units (fewer when the tree has fewer units), each a list of paths.
    func groups(_ groupCount: Int) -> [[[UInt8]]] {
        let total = max(count, 1)
        // A unit worth more than an eighth of a group is split, so no unit is heavy enough to
        // unbalance the groups on its own.
        let limit = max(1, total / (groupCount * 8))
        var units: [Unit] = []
        expand(prefix: [], lower: 0, upper: count, depth: 0, limit: limit, into: &units)
        // Heaviest first, each to the lightest group. Units of one weight are dealt across the
        // groups, not kept together: untracked directories weigh 1 whatever they hold, and ten of
        // them side by side in one group made its run the last to end (bench/README.md).
        let order = units.indices.sorted { units[$0].weight > units[$1].weight }
        var groups = [[[UInt8]]](repeating: [], count: min(groupCount, units.count))
        var loads = [Int](repeating: 0, count: groups.count)
        for position in order {
            let lightest = loads.indices.min { loads[$0] < loads[$1] }!
            groups[lightest].append(units[position].path)
            loads[lightest] += units[position].weight
        }
        return groups
    }

    /// Appends the units under `prefix` (a directory, or the root when empty), splitting the
    /// heavy ones further.
    private func expand(prefix: [UInt8], lower: Int, upper: Int, depth: Int, limit: Int, into units: inout [Unit]) {
        var children = namesInIndex(prefix: prefix, lower: lower, upper: upper)
        var known = Set(children.map(\.path))
        for name in namesOnDisk(prefix: prefix) where !known.contains(name) {
            known.insert(name)
            children.append(Unit(path: name, weight: 1, lower: 0, upper: 0))
        }
        children.sort { $0.path.lexicographicallyPrecedes($1.path) }
        for child in children {
            if child.weight > limit, depth < Self.maximumDepth, isRealDirectory(child.path) {
                expand(
                    prefix: child.path + [UInt8(ascii: "/")], lower: child.lower, upper: child.upper,
                    depth: depth + 1, limit: limit, into: &units)
            } else {
                units.append(child)
            }
        }
    }

    /// The names directly under `prefix` that index entries `lower..<upper` (all starting with
    /// `prefix`) pass through, with how many entries each covers. Entries under one name are
    /// contiguous: the index is sorted by path bytes.
    private func namesInIndex(prefix: [UInt8], lower: Int, upper: Int) -> [Unit] {
        var result: [Unit] = []
        let skip = prefix.count
        var position = lower
        while position < upper {
            let entryPath = path(position)
            let bytes = UnsafeRawPointer(entryPath).assumingMemoryBound(to: UInt8.self)
            let length = strlen(entryPath)
            // (A range widened by a same-named file can hold entries outside `prefix`: skip them.)
            guard length > skip, skip == 0 || hasPrefix(entryPath, prefix) else {
                position += 1
                continue
            }
            let start = bytes + skip
            let rest = length - skip
            let slash = memchr(start, Int32(UInt8(ascii: "/")), rest)
            let nameLength = slash.map { UnsafeRawPointer($0) - UnsafeRawPointer(start) } ?? rest
            let name = prefix + Array(UnsafeBufferPointer(start: start, count: nameLength))
            var end = position + 1
            if slash != nil {
                // The entries under prefix + name + "/" are contiguous and end before the first
                // path >= prefix + name + "0" ("0" follows "/" in byte order).
                end = firstPosition(notBefore: name + [UInt8(ascii: "0")], from: position + 1, upTo: upper)
            }
            if let last = result.last, last.path == name {
                result[result.count - 1].weight += end - position
                result[result.count - 1].upper = end
            } else {
                result.append(Unit(path: name, weight: end - position, lower: position, upper: end))
            }
            position = end
        }
        // A file and a directory of the same name (possible with conflict stages) are one unit.
        var merged: [Unit] = []
        var seen: [[UInt8]: Int] = [:]
        for unit in result {
            if let at = seen[unit.path] {
                merged[at].weight += unit.weight
                merged[at].lower = min(merged[at].lower, unit.lower)
                merged[at].upper = max(merged[at].upper, unit.upper)
            } else {
                seen[unit.path] = merged.count
                merged.append(unit)
            }
        }
        return merged
    }

    /// The first position in `lower..<upper` whose path is not before `bound` (binary search:
    /// index entries are sorted by path bytes).
    private func firstPosition(notBefore bound: [UInt8], from lower: Int, upTo upper: Int) -> Int {
        var terminated = bound
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { bytes in
            let text = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var low = lower
            var high = upper
            while low < high {
                let middle = (low + high) / 2
                if strcmp(path(middle), text) < 0 { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    private func hasPrefix(_ path: UnsafePointer<CChar>, _ prefix: [UInt8]) -> Bool {
        prefix.withUnsafeBufferPointer { bytes in
            strncmp(path, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self), bytes.count) == 0
        }
    }

    /// The names in the working tree directory `prefix` (full paths from the top), without `.git`.
    private func namesOnDisk(prefix: [UInt8]) -> [[UInt8]] {
        var directoryPath = workdir + prefix
        directoryPath.append(0)
        guard
            let stream = directoryPath.withUnsafeBufferPointer({
                opendir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
            })
        else { return [] }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                return Array(bytes.prefix(length))
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] || name == Self.dotGit {
                continue
            }
            names.append(prefix + name)
        }
        return names
    }

    private static let dotGit = Array(".git".utf8)

    private func isRealDirectory(_ path: [UInt8]) -> Bool {
        var full = workdir + path
        full.append(0)
        var info = stat()
        let result = full.withUnsafeBufferPointer {
            lstat(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), &info)
        }
        return result == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
