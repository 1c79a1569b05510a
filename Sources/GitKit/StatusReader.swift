import CGit2
import Foundation
import SmokeCore
import Synchronization

/// Reads a working tree's status with libgit2 the way `git status --porcelain=v1 -uall` sees it.
///
/// One libgit2 status run is single-threaded, while `git status` checks tracked files on
/// several threads (`core.preloadIndex`). So a large tree is read by several runs at once, one
/// per group of paths (`StatusPartition`), all sharing the one loaded index; HEAD is compared
/// with the index in one more run, limited to the paths where the index's cached trees differ
/// from HEAD's (`HeadComparison`: none at all when nothing is staged). The entries are the same
/// as one plain libgit2 status run gives: the agreement tests compare every way of reading with
/// git.
public enum StatusReader {
    /// Below this many index entries one run is quicker than starting several.
    static let parallelThreshold = 1_000
    /// More runs than this gain nothing measurable (each pays its own set-up).
    static let maximumWorkers = 4

    /// `workers`: how many status runs read the tree at once; nil picks one run for small trees
    /// and one per core (at most 4) for larger ones. The `GITKIT_STATUS_WORKERS` environment
    /// variable overrides the automatic choice (1 = a single libgit2 status run).
    public static func snapshot(directory: String, workers: Int? = nil) throws(SmokeError) -> StatusSnapshot {
        try LibGit2.session { () throws(SmokeError) -> StatusSnapshot in
            let repository = try Repository.open(workingTree: directory)
            let head = try repository.headCommit()
            return StatusSnapshot(
                repo: repository.workingDirectory ?? directory,
                head: head.map(Repository.hex),
                branch: try repository.branchName(),
                entries: try entries(of: repository, head: head, workers: workers))
        }
    }

    static func entries(of repository: Repository, head: git_oid?, workers requested: Int?) throws(SmokeError)
        -> [StatusEntry]
    {
        let index = try repository.index()
        // A short-lived process leaves the index (100,000 entries: milliseconds to free) to its exit.
        defer { if !LibGit2.isShortLivedProcess { git_index_free(index) } }
        let headTree = try head.map { commit throws(SmokeError) in try repository.treeID(ofCommit: commit) }
        let scan = IndexScan(index: index)
        let comparison = HeadComparison.plan(repository: repository, index: index, scan: scan, headTree: headTree)
        var workers = requested ?? automaticWorkers(indexEntries: git_index_entrycount(index))
        let setIndex = SharedIndex.setter
        let workdir = git_repository_workdir(repository.pointer).map { String(cString: $0) }
        // One run when the index cannot be shared safely: libgit2's submodule code reaches the
        // index's owning repository, and a case-insensitive index is re-sorted while compared.
        if setIndex == nil || workdir == nil || scan.hasGitlinks || scan.ignoresCase { workers = 1 }

        var tasks: [StatusRun.Task] = []
        switch comparison {
        case .none: break
        case .paths(let paths): tasks.append(.headToIndex(paths))
        case .all: tasks.append(.headToIndex(nil))
        }
        if workers > 1, let workdir {
            // With all of HEAD to compare as well, more and smaller groups keep the threads evenly busy.
            let groupCount = comparison.isAll ? workers * 2 : workers
            tasks += StatusPartition(index: index, workdir: workdir).groups(groupCount).map {
                StatusRun.Task.workdir($0)
            }
        } else {
            tasks.append(.workdir(nil))
        }

        let raw: [RawStatus]
        if workers > 1, let setIndex, let workdir {
            let work = ParallelRuns(tasks: tasks, workdir: workdir, index: index, setIndex: setIndex)
            work.runAll(threads: min(workers, tasks.count))
            raw = try work.merged()
        } else {
            var lists: [[RawStatus]] = []
            for task in tasks { lists.append(try StatusRun.entries(task: task, repository: repository.pointer)) }
            raw = RawStatus.merge(tasks: tasks, lists: lists)
        }
        let lookup = IndexLookup(index: index)
        var result: [StatusEntry] = []
        result.reserveCapacity(raw.count)
        for status in raw { try append(status, to: &result, lookup: lookup) }
        return result.sorted(by: StatusEntry.gitOrder)
    }

    static func automaticWorkers(indexEntries: Int) -> Int {
        if let text = ProcessInfo.processInfo.environment["GITKIT_STATUS_WORKERS"], let forced = Int(text), forced > 0 {
            return min(forced, 64)
        }
        guard indexEntries >= parallelThreshold else { return 1 }
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, maximumWorkers))
    }

    /// Turns one libgit2 status entry into git's porcelain entries (none, one or two).
    private static func append(_ status: RawStatus, to result: inout [StatusEntry], lookup: IndexLookup)
        throws(SmokeError)
    {
        let flags = status.flags
        let path = status.path
        if PorcelainCode.isConflicted(flags) {
            let (index, worktree) = try lookup.conflictCodes(for: path)
            result.append(StatusEntry(path: path, index: index, worktree: worktree))
            return
        }
        let index = PorcelainCode.index(flags)
        let origPath = index == "R" ? status.origPath : nil
        if PorcelainCode.isUntracked(flags) {
            // libgit2 folds "deleted from the index but still on disk" into one entry;
            // git prints it as two lines, `D  path` and `?? path`.
            if index != " " { result.append(StatusEntry(path: path, index: index, worktree: " ", origPath: origPath)) }
            result.append(StatusEntry(path: path, index: "?", worktree: "?"))
            return
        }
        let worktree = PorcelainCode.worktree(flags)
        if index == "A", lookup.isIntentToAdd(path) {
            // `git add -N`: git shows the path as added in the worktree only (` A`).
            result.append(StatusEntry(path: path, index: " ", worktree: worktree == "D" ? "D" : "A"))
            return
        }
        if index == " ", worktree == " " { return }  // ignored or unreadable-only: not an entry
        result.append(StatusEntry(path: path, index: index, worktree: worktree, origPath: origPath))
    }
}

/// The tasks of one parallel status and their results, one slot per task. Threads take the
/// next task from a shared counter; each slot is written by the one thread that ran its task and
/// read only after every thread has been joined. The libgit2 index is only read while the tasks
/// run (no task refreshes or writes it).
private final class ParallelRuns: @unchecked Sendable {
    let tasks: [StatusRun.Task]
    let workdir: String
    let index: OpaquePointer
    let setIndex: SharedIndex.Setter
    /// One slot per task (a buffer, not an array property: threads writing distinct slots of a
    /// class's array would be overlapping accesses to the property).
    let results: UnsafeMutableBufferPointer<Result<[RawStatus], SmokeError>>
    private let next = Atomic<Int>(0)

    init(tasks: [StatusRun.Task], workdir: String, index: OpaquePointer, setIndex: @escaping SharedIndex.Setter) {
        self.tasks = tasks
        self.workdir = workdir
        self.index = index
        self.setIndex = setIndex
        results = .allocate(capacity: tasks.count)
        results.initialize(repeating: .success([]))
    }

    deinit {
        results.deinitialize()
        results.deallocate()
    }

    /// Runs every task on `threads` threads, this one included. Plain threads, started here:
    /// Dispatch's pool took milliseconds to add a thread, which is a tenth of a 20,000-file status.
    func runAll(threads: Int) {
        #if canImport(Glibc)
            var started: [pthread_t] = []
            for _ in 1..<max(threads, 1) {
                var thread = pthread_t()
                let context = Unmanaged.passRetained(self).toOpaque()
                let result = pthread_create(
                    &thread, nil,
                    { context in
                        Unmanaged<ParallelRuns>.fromOpaque(context!).takeRetainedValue().drain()
                        return nil
                    }, context)
                if result == 0 {
                    started.append(thread)
                } else {
                    Unmanaged<ParallelRuns>.fromOpaque(context).release()  // fewer threads; this one still drains
                }
            }
            drain()
            for thread in started { pthread_join(thread, nil) }
        #else
            let group = DispatchGroup()
            for _ in 1..<max(threads, 1) {
                group.enter()
                Thread { [self] in
                    drain()
                    group.leave()
                }.start()
            }
            drain()
            group.wait()
        #endif
    }

    /// The tasks' lists merged by path, or the first task's failure.
    func merged() throws(SmokeError) -> [RawStatus] {
        var lists: [[RawStatus]] = []
        for position in tasks.indices { lists.append(try results[position].get()) }
        return RawStatus.merge(tasks: tasks, lists: lists)
    }

    private func drain() {
        while true {
            let position = next.add(1, ordering: .relaxed).oldValue
            guard position < tasks.count else { return }
            run(position)
        }
    }

    private func run(_ position: Int) {
        let result: Result<[RawStatus], SmokeError>
        do throws(SmokeError) {
            result = .success(
                try StatusRun.entries(task: tasks[position], workdir: workdir, index: index, setIndex: setIndex))
        } catch {
            result = .failure(error)
        }
        results[position] = result
    }
}

/// One entry of a libgit2 status list: its path, status flags and, for a staged rename, the old path.
struct RawStatus {
    var path: String
    var flags: UInt32
    var origPath: String?

    /// The HEAD-to-index entries joined with the workdir entries of the same path, as one libgit2
    /// status run pairs them (a rename is keyed by its new path).
    static func merge(tasks: [StatusRun.Task], lists: [[RawStatus]]) -> [RawStatus] {
        var result: [RawStatus] = []
        result.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        var positions: [String: Int] = [:]
        for (task, list) in zip(tasks, lists) where task.comparesHead {
            for status in list {
                positions[status.path] = result.count
                result.append(status)
            }
        }
        for (task, list) in zip(tasks, lists) where !task.comparesHead {
            for status in list {
                if !positions.isEmpty, let position = positions[status.path] {
                    result[position].flags |= status.flags
                } else {
                    result.append(status)
                }
            }
        }
        return result
    }
}

/// One libgit2 status run.
enum StatusRun {
    enum Task: CustomStringConvertible {
        /// HEAD against the index, with rename detection (porcelain v1 shows staged renames),
        /// limited to these literal paths when given (`HeadComparison.paths`).
        case headToIndex([[UInt8]]?)
        /// The index against the working tree, limited to these literal path prefixes when given.
        case workdir([[UInt8]]?)

        var comparesHead: Bool {
            if case .headToIndex = self { return true }
            return false
        }

        var description: String {
            switch self {
            case .headToIndex(let paths): "headToIndex(\(paths.map { "\($0.count) paths" } ?? "all"))"
            case .workdir(let paths): "workdir(\(paths.map { "\($0.count) paths" } ?? "all"))"
            }
        }
    }

    static let baseFlags =
        GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX.rawValue
        // The index is loaded once, just before: no second read of it.
        | GIT_STATUS_OPT_NO_REFRESH.rawValue

    /// One task on `repository` (with its own index, the one loaded before).
    static func entries(task: Task, repository: OpaquePointer) throws(SmokeError) -> [RawStatus] {
        switch task {
        case .headToIndex(let paths):
            return try entries(
                repository: repository, show: GIT_STATUS_SHOW_INDEX_ONLY,
                flags: baseFlags | (paths == nil ? 0 : GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue), pathspec: paths)
        case .workdir(let paths):
            return try entries(
                repository: repository, show: GIT_STATUS_SHOW_WORKDIR_ONLY,
                flags: baseFlags | (paths == nil ? 0 : GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue), pathspec: paths)
        }
    }

    /// One task on a fresh handle of the repository at `workdir`, sharing `index`.
    static func entries(
        task: Task, workdir: String, index: OpaquePointer, setIndex: SharedIndex.Setter
    ) throws(SmokeError) -> [RawStatus] {
        var handle: OpaquePointer?
        try LibGit2.check(
            git_repository_open_ext(&handle, workdir, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "\(workdir): cannot open repository")
        guard let handle else { throw SmokeError(.libgit2Error, "\(workdir): libgit2 returned no repository") }
        defer { git_repository_free(handle) }
        try LibGit2.check(setIndex(handle, index), "cannot share the index")
        return try entries(task: task, repository: handle)
    }

    private static func entries(
        repository: OpaquePointer, show: git_status_show_t, flags: UInt32, pathspec: [[UInt8]]?
    ) throws(SmokeError) -> [RawStatus] {
        var options = git_status_options()
        try LibGit2.check(
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "cannot initialise status options")
        options.show = show
        // Not GIT_STATUS_OPT_DEFAULTS: it includes ignored files, which git's porcelain hides.
        options.flags = flags
        var strings: [UnsafeMutablePointer<CChar>?] = (pathspec ?? []).map { path in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: path.count + 1)
            path.withUnsafeBufferPointer { bytes in
                UnsafeMutableRawPointer(copy).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            copy[path.count] = 0
            return copy
        }
        defer { for string in strings { string?.deallocate() } }
        var list: OpaquePointer?
        let result = strings.withUnsafeMutableBufferPointer { buffer in
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_status_list_new(&list, repository, &options)
        }
        try LibGit2.check(result, "cannot read status")
        defer { git_status_list_free(list) }

        let count = git_status_list_entrycount(list)
        var entries: [RawStatus] = []
        entries.reserveCapacity(count)
        for position in 0..<count {
            guard let entry = git_status_byindex(list, position) else { continue }
            let headToIndex = entry.pointee.head_to_index
            let indexToWorkdir = entry.pointee.index_to_workdir
            guard
                let path = headToIndex?.pointee.new_file.path ?? indexToWorkdir?.pointee.new_file.path
                    ?? indexToWorkdir?.pointee.old_file.path
            else { continue }
            var origPath: String?
            if entry.pointee.status.rawValue & GIT_STATUS_INDEX_RENAMED.rawValue != 0,
                let old = headToIndex?.pointee.old_file.path
            {
                origPath = String(cString: old)
            }
            entries.append(
                RawStatus(path: String(cString: path), flags: entry.pointee.status.rawValue, origPath: origPath))
        }
        return entries
    }
}

/// `git_repository_set_index` (declared in `git2/sys/repository.h`, which the CGit2 module does not
/// import), found in the loaded libgit2. nil if it is missing: then one status run reads the tree.
enum SharedIndex {
    typealias Setter = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32

    static let setter: Setter? = {
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "git_repository_set_index") else {
            return nil
        }
        return unsafeBitCast(symbol, to: Setter.self)
    }()
}

/// What status flags do not say about an entry, read from the index of the run: the stages of
/// an unmerged path, or the intent-to-add bit of a new one.
struct IndexLookup {
    let index: OpaquePointer

    func conflictCodes(for path: String) throws(SmokeError) -> (Character, Character) {
        var ancestor: UnsafePointer<git_index_entry>?
        var ours: UnsafePointer<git_index_entry>?
        var theirs: UnsafePointer<git_index_entry>?
        let result = git_index_conflict_get(&ancestor, &ours, &theirs, index, path)
        if result == GIT_ENOTFOUND.rawValue { return ("U", "U") }
        try LibGit2.check(result, "\(path): cannot read conflict stages")
        return PorcelainCode.conflict(ancestor: ancestor != nil, ours: ours != nil, theirs: theirs != nil)
    }

    func isIntentToAdd(_ path: String) -> Bool {
        guard let entry = git_index_get_bypath(index, path, 0) else { return false }
        return UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue != 0
    }
}
