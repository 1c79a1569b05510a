import CGit2
import SmokeCore

/// Reads a working tree's status with libgit2 the way `git status --porcelain=v1 -uall` sees it.
public enum StatusReader {
    public static func snapshot(directory: String) throws(SmokeError) -> StatusSnapshot {
        try LibGit2.session { () throws(SmokeError) -> StatusSnapshot in
            let repository = try Repository.open(workingTree: directory)
            return StatusSnapshot(
                repo: repository.workingDirectory ?? directory,
                head: try repository.headCommitID(),
                branch: try repository.branchName(),
                entries: try entries(of: repository))
        }
    }

    static func entries(of repository: Repository) throws(SmokeError) -> [StatusEntry] {
        var options = git_status_options()
        try LibGit2.check(
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "cannot initialise status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // Not GIT_STATUS_OPT_DEFAULTS: it includes ignored files, which git's porcelain hides.
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX.rawValue
        var list: OpaquePointer?
        try LibGit2.check(git_status_list_new(&list, repository.pointer, &options), "cannot read status")
        defer { git_status_list_free(list) }

        var lookup: IndexLookup?
        func indexLookup() throws(SmokeError) -> IndexLookup {
            if let lookup { return lookup }
            let opened = try IndexLookup(repository: repository)
            lookup = opened
            return opened
        }
        var result: [StatusEntry] = []
        for position in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, position)?.pointee else { continue }
            let flags = entry.status.rawValue
            let headToIndex = entry.head_to_index?.pointee
            let indexToWorkdir = entry.index_to_workdir?.pointee
            guard let path = (headToIndex?.new_file.path ?? indexToWorkdir?.new_file.path ?? indexToWorkdir?.old_file.path)
                .map({ String(cString: $0) })
            else { continue }

            if PorcelainCode.isConflicted(flags) {
                let (index, worktree) = try indexLookup().conflictCodes(for: path)
                result.append(StatusEntry(path: path, index: index, worktree: worktree))
                continue
            }
            let index = PorcelainCode.index(flags)
            var origPath: String?
            if index == "R", let old = headToIndex?.old_file.path {
                origPath = String(cString: old)
            }
            if PorcelainCode.isUntracked(flags) {
                // libgit2 folds "deleted from the index but still on disk" into one entry;
                // git prints it as two lines, `D  path` and `?? path`.
                if index != " " { result.append(StatusEntry(path: path, index: index, worktree: " ", origPath: origPath)) }
                result.append(StatusEntry(path: path, index: "?", worktree: "?"))
                continue
            }
            let worktree = PorcelainCode.worktree(flags)
            if index == "A", try indexLookup().isIntentToAdd(path) {
                // `git add -N`: git shows the path as added in the worktree only (` A`).
                result.append(StatusEntry(path: path, index: " ", worktree: worktree == "D" ? "D" : "A"))
                continue
            }
            if index == " ", worktree == " " { continue }  // ignored or unreadable-only: not an entry
            result.append(StatusEntry(path: path, index: index, worktree: worktree, origPath: origPath))
        }
        return result.sorted(by: StatusEntry.gitOrder)
    }
}

/// The index of one status run, opened only when an entry needs what status flags do not
/// say: the stages of an unmerged path, or the intent-to-add bit of a new one.
final class IndexLookup {
    private let index: OpaquePointer

    init(repository: Repository) throws(SmokeError) {
        var handle: OpaquePointer?
        try LibGit2.check(git_repository_index(&handle, repository.pointer), "cannot open the index")
        guard let handle else { throw .environment("libgit2_error", "libgit2 returned no index") }
        index = handle
    }

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

    deinit { git_index_free(index) }
}
