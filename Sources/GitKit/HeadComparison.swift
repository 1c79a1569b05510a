import CGit2
import Foundation

/// How much of HEAD must be compared with the index.
///
/// libgit2's status reads every tree of HEAD and compares it with the index entry by entry (at
/// 100,000 files that is a tenth of the run). git status does not: the index keeps a cached tree
/// for each directory (the `TREE` extension, maintained by git and libgit2 alike), and a
/// directory whose cached tree is HEAD's tree is skipped whole. This does the same: it reads the
/// cached trees from the index file, walks HEAD top-down by tree id, and opens only the trees of
/// directories whose cached tree is missing, invalidated or different. The paths found there are
/// the only ones libgit2's HEAD-to-index status is then given (a literal pathspec): every other
/// path has the same mode and object in HEAD and in the index, so it cannot be an index change,
/// and every added and deleted path is in the list, so renames pair exactly as before.
/// Anything unexpected (no cached trees, conflicts, a case-insensitive index, a file that does
/// not match what libgit2 loaded) falls back to comparing everything.
enum HeadComparison: CustomStringConvertible {
    /// The index holds exactly HEAD's tree: nothing staged.
    case none
    /// Only these paths (files, or directories on one side only) can differ.
    case paths([[UInt8]])
    /// Compare everything.
    case all

    var isAll: Bool {
        if case .all = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .none: "none"
        case .paths(let paths): "\(paths.count) paths"
        case .all: "all"
        }
    }

    /// More paths than this, and a pathspec would cost more than it saves.
    static let maximumPaths = 4_096

    static func plan(repository: Repository, index: OpaquePointer, scan: IndexScan, headTree: git_oid?)
        -> HeadComparison
    {
        guard let headTree else { return git_index_entrycount(index) == 0 ? .none : .all }
        guard git_index_has_conflicts(index) == 0, !scan.ignoresCase,
            let cache = CacheTree.read(index: index, scan: scan)
        else { return .all }
        if let root = cache.root, let id = cache.id(of: root), id == headTree, scan.intentToAdd.isEmpty { return .none }
        var walk = Walk(repository: repository.pointer, index: index, cache: cache)
        guard walk.directory(prefix: [], cached: cache.root, head: headTree) else {
            git_error_clear()
            return .all
        }
        // git keeps a directory's cached tree invalid while it holds intent-to-add entries
        // (`git add -N`); list them anyway rather than rely on every writer doing so.
        walk.paths += scan.intentToAdd
        guard walk.paths.count <= maximumPaths else { return .all }
        return walk.paths.isEmpty ? .none : .paths(walk.paths)
    }

    /// The top-down comparison of HEAD's trees with the index.
    private struct Walk {
        let repository: OpaquePointer
        let index: OpaquePointer
        let cache: CacheTree
        var paths: [[UInt8]] = []

        init(repository: OpaquePointer, index: OpaquePointer, cache: CacheTree) {
            self.repository = repository
            self.index = index
            self.cache = cache
        }

        /// Compares directory `prefix` (empty for the root, else ending in "/") of HEAD, tree
        /// `head`, with the index; false when a tree cannot be read or too many paths differ.
        mutating func directory(prefix: [UInt8], cached: Int?, head: git_oid) -> Bool {
            if let cached, let id = cache.id(of: cached), id == head { return true }
            var treeID = head
            var tree: OpaquePointer?
            guard git_tree_lookup(&tree, repository, &treeID) == 0, let tree else { return false }
            defer { git_tree_free(tree) }

            var headNames: [[UInt8]: Bool] = [:]  // name → is a directory
            for position in 0..<git_tree_entrycount(tree) {
                guard let entry = git_tree_entry_byindex(tree, position), let rawName = git_tree_entry_name(entry)
                else {
                    return false
                }
                let name = bytes(rawName)
                let mode = git_tree_entry_filemode(entry).rawValue
                let id = git_tree_entry_id(entry).pointee
                if mode == GIT_FILEMODE_TREE.rawValue {
                    headNames[name] = true
                    guard
                        directory(
                            prefix: prefix + name + [UInt8(ascii: "/")],
                            cached: cached.flatMap { cache.child(of: $0, named: name) }, head: id)
                    else { return false }
                } else {
                    headNames[name] = false
                    // A file of HEAD: unchanged only if the index has it, stage 0, same mode and blob.
                    var path = prefix + name
                    path.append(0)
                    let indexEntry = path.withUnsafeBufferPointer {
                        git_index_get_bypath(
                            index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0)
                    }
                    path.removeLast()
                    if let indexEntry, indexEntry.pointee.mode == mode, Self.same(indexEntry.pointee.id, id) {
                        continue
                    }
                    paths.append(path)
                }
                if paths.count > HeadComparison.maximumPaths { return false }
            }
            // What the index has directly here that HEAD lacks: new files, new directories (whole).
            addIndexOnlyNames(prefix: prefix, headNames: headNames)
            return paths.count <= HeadComparison.maximumPaths
        }

        /// The index entries directly under `prefix` (skipping over each subdirectory at once)
        /// whose name HEAD does not have with the same kind.
        private mutating func addIndexOnlyNames(prefix: [UInt8], headNames: [[UInt8]: Bool]) {
            var position = find(prefix)
            let count = git_index_entrycount(index)
            while position < count {
                guard let entry = git_index_get_byindex(index, position), let rawPath = entry.pointee.path else {
                    return
                }
                let length = strlen(rawPath)
                let path = UnsafeBufferPointer(
                    start: UnsafeRawPointer(rawPath).assumingMemoryBound(to: UInt8.self), count: length)
                guard length > prefix.count, path.starts(with: prefix) else { return }
                let rest = path[(prefix.count)...]
                if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                    let name = Array(path[prefix.count..<slash])
                    if headNames[name] != true { paths.append(prefix + name) }
                    // Past every entry under prefix + name + "/": the first path >= prefix + name + "0".
                    position = find(prefix + name + [UInt8(ascii: "0")])
                } else {
                    let name = Array(rest)
                    if headNames[name] != false { paths.append(prefix + name) }
                    position += 1
                }
            }
        }

        /// The position of the first index entry whose path is >= `prefix` (byte order).
        private func find(_ prefix: [UInt8]) -> Int {
            var text = prefix
            text.append(0)
            var position = 0
            let result = text.withUnsafeBufferPointer {
                git_index_find_prefix(
                    &position, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
            }
            if result == 0 { return position }
            git_error_clear()
            // No entry starts with `prefix`: binary search for the insertion point.
            var low = 0
            var high = git_index_entrycount(index)
            while low < high {
                let middle = (low + high) / 2
                guard let entry = git_index_get_byindex(index, middle), let path = entry.pointee.path else {
                    return high
                }
                let order = text.withUnsafeBufferPointer {
                    strcmp(path, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
                }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return low
        }

        private func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
            Array(
                UnsafeBufferPointer(
                    start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text)))
        }

        private static func same(_ left: git_oid, _ right: git_oid) -> Bool {
            var left = left
            var right = right
            return git_oid_equal(&left, &right) == 1
        }
    }
}

extension git_oid {
    static func == (left: git_oid, right: git_oid) -> Bool {
        var left = left
        var right = right
        return git_oid_equal(&left, &right) == 1
    }
}

/// The cached trees of an index (git's cache-tree, the `TREE` extension of the index file), read
/// from the file libgit2 loaded. libgit2 parses them too but does not expose them, so the
/// extensions are located from the entries libgit2 holds (their on-disk sizes follow from the
/// index version, path lengths and flags) and only the file's tail is read. The file must end
/// with the checksum libgit2 recorded, and the extensions must line up exactly with its end, or
/// nothing is returned. Nodes are kept flat, in the file's pre-order: one array, no per-node
/// allocation (100,000 files make some 6,000 directories).
struct CacheTree {
    struct Node {
        var name: Range<Int>
        /// Offset of the tree id in `data`; nil when invalidated (something under it changed).
        var id: Int?
        var subtrees: Int
        /// The position of the node after this one's whole subtree.
        var end: Int
    }

    /// The extension's bytes.
    let data: [UInt8]
    let nodes: [Node]

    var root: Int? { nodes.isEmpty ? nil : 0 }

    func id(of node: Int) -> git_oid? {
        guard let offset = nodes[node].id else { return nil }
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: data[offset..<offset + Int(GIT_OID_RAWSZ)]) }
        return oid
    }

    func child(of node: Int, named name: [UInt8]) -> Int? {
        var position = node + 1
        for _ in 0..<nodes[node].subtrees {
            guard position < nodes.count else { return nil }
            if data[nodes[position].name].elementsEqual(name) { return position }
            position = nodes[position].end
        }
        return nil
    }

    static func read(index: OpaquePointer, scan: IndexScan) -> CacheTree? {
        guard let pathPointer = git_index_path(index), let checksum = git_index_checksum(index),
            let offset = scan.extensionsOffset
        else { return nil }
        // Read the tail: extensions, then the checksum.
        let file = open(pathPointer, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        let checksumSize = Int(GIT_OID_RAWSZ)
        guard offset + checksumSize <= size else { return nil }
        var tail = [UInt8](repeating: 0, count: size - offset)
        let readCount = tail.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, off_t(offset)) }
        guard readCount == tail.count else { return nil }
        // The file is the one libgit2 loaded.
        let recorded = withUnsafeBytes(of: checksum.pointee.id) { Array($0) }
        guard tail[(tail.count - checksumSize)...].elementsEqual(recorded) else { return nil }
        // The extensions must fill the tail exactly.
        var cursor = 0
        let end = tail.count - checksumSize
        var found: Range<Int>?
        while cursor < end {
            guard cursor + 8 <= end else { return nil }
            let length = tail[cursor + 4..<cursor + 8].reduce(0) { ($0 << 8) | Int($1) }
            let isTree = tail[cursor..<cursor + 4].elementsEqual("TREE".utf8)
            cursor += 8
            guard length <= end - cursor else { return nil }
            if isTree { found = cursor..<cursor + length }
            cursor += length
        }
        guard cursor == end, let found else { return nil }
        let data = Array(tail[found])
        guard let nodes = parse(data) else { return nil }
        return CacheTree(data: data, nodes: nodes)
    }

    /// Every entry, `name NUL count SP subtrees LF [id]`, subtrees following their parent.
    private static func parse(_ data: [UInt8]) -> [Node]? {
        var nodes: [Node] = []
        var position = 0
        // Nodes whose subtrees are still being read: (node, subtrees left).
        var open: [(node: Int, left: Int)] = []
        repeat {
            guard let nul = data[position...].firstIndex(of: 0) else { return nil }
            let name = position..<nul
            position = nul + 1
            guard let entryCount = parseNumber(data, &position, terminator: UInt8(ascii: " ")),
                let subtrees = parseNumber(data, &position, terminator: 0x0A), subtrees >= 0
            else { return nil }
            var id: Int?
            if entryCount >= 0 {
                guard position + Int(GIT_OID_RAWSZ) <= data.count else { return nil }
                id = position
                position += Int(GIT_OID_RAWSZ)
            }
            nodes.append(Node(name: name, id: id, subtrees: subtrees, end: 0))
            if let last = open.last { open[open.count - 1].left = last.left - 1 }
            open.append((nodes.count - 1, subtrees))
            // Close every node whose subtrees are all read.
            while let last = open.last, last.left == 0 {
                nodes[last.node].end = nodes.count
                open.removeLast()
            }
        } while !open.isEmpty && position < data.count
        guard open.isEmpty, position == data.count else { return nil }
        return nodes
    }

    /// An optionally negative decimal number up to `terminator`.
    private static func parseNumber(_ data: [UInt8], _ position: inout Int, terminator: UInt8) -> Int? {
        var negative = false
        if position < data.count, data[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var value = 0
        var digits = 0
        while position < data.count, data[position] != terminator {
            let byte = data[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 12 else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            position += 1
        }
        guard position < data.count, digits > 0 else { return nil }
        position += 1  // the terminator
        return negative ? -value : value
    }
}

/// One pass over the loaded index for what the status plan needs to know: where the index
/// file's extensions begin (after the entries, whose on-disk sizes follow from the index version,
/// path lengths and flags), the intent-to-add entries, and whether any entry is a submodule
/// (libgit2's submodule code reaches the index's owning repository, which a shared index does
/// not have one of: such trees are read by one status run).
struct IndexScan {
    var extensionsOffset: Int?
    var intentToAdd: [[UInt8]] = []
    var hasGitlinks = false
    var ignoresCase = false

    init(index: OpaquePointer) {
        ignoresCase = git_index_caps(index) & GIT_INDEX_CAPABILITY_IGNORE_CASE.rawValue != 0
        let version = git_index_version(index)
        let sized = version >= 2 && version <= 4
        var offset = 12  // the header
        var previous: UnsafePointer<CChar>?
        var previousLength = 0
        let gitlink = UInt32(GIT_FILEMODE_COMMIT.rawValue)
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let path = entry.pointee.path else { return }
            if entry.pointee.mode == gitlink { hasGitlinks = true }
            let length = strlen(path)
            if entry.pointee.flags_extended != 0,
                UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue != 0
            {
                intentToAdd.append(
                    Array(
                        UnsafeBufferPointer(
                            start: UnsafeRawPointer(path).assumingMemoryBound(to: UInt8.self), count: length)))
            }
            let fixed = UInt32(entry.pointee.flags) & GIT_INDEX_ENTRY_EXTENDED.rawValue != 0 ? 64 : 62
            if version == 4 {
                // Prefix-compressed: a varint of how many bytes of the previous path to drop,
                // then the rest of the path and a NUL.
                var common = 0
                if let previous {
                    while common < min(previousLength, length), previous[common] == path[common] { common += 1 }
                }
                offset += fixed + Self.varintLength(previousLength - common) + (length - common) + 1
                previous = path
                previousLength = length
            } else {
                offset += (fixed + length + 8) & ~7
            }
        }
        extensionsOffset = sized ? offset : nil
    }

    /// git's varint (`encode_varint`): 7 bits a byte, each continuation adding one.
    static func varintLength(_ value: Int) -> Int {
        var value = value
        var length = 1
        while true {
            value >>= 7
            if value == 0 { return length }
            value -= 1
            length += 1
        }
    }
}
