import CGit2
import Foundation
import SmokeCore

/// A revision's tree read from the object store and written into a directory of its own: not a
/// checkout (HEAD, the index and the working tree are untouched) and no `git` process.
public struct RevisionTree: Sendable, Equatable {
    /// The repository's working tree, symbolic links resolved.
    public let workTree: String
    /// The revision as given.
    public let revision: String
    /// The commit it names.
    public let commit: String
    /// The commit HEAD points at, nil before the first commit.
    public let headCommit: String?
    /// Files and symbolic links written.
    public let files: Int
    /// The paths asked about that git ignores.
    public let ignored: Set<String>
}

public enum RevisionExport {
    /// Opens the repository (`repository` exactly, or the one enclosing `searchFrom`), resolves
    /// `revision` to a commit (`git_revparse_single`, peeled) and writes the commit's tree into
    /// the existing, empty `directory`: blobs as stored (no filters or line-ending conversion),
    /// executables 0755, symbolic links as links, submodules as empty directories. `ignoredPaths`
    /// are absolute paths with symbolic links resolved; those inside the working tree that git's
    /// ignore rules cover are returned in `ignored`.
    public static func export(
        revision: String, repository: String?, searchFrom: String, into directory: String, ignoredPaths: [String] = []
    ) throws(SmokeError) -> RevisionTree {
        try LibGit2.session { () throws(SmokeError) -> RevisionTree in
            let repo = try open(repository, searchFrom: searchFrom)
            // The commit and tree objects below must not outlive the repository.
            defer { withExtendedLifetime(repo) {} }
            guard let workdir = repo.workingDirectory else {
                throw SmokeError(
                    .bareRepository,
                    "\(repository ?? searchFrom): is a bare repository; it has no working tree to render")
            }
            let workTree = realPath(workdir) ?? workdir
            let commit = try resolve(revision, in: repo, workTree: workTree)
            defer { git_object_free(commit) }
            var tree: OpaquePointer?
            try LibGit2.check(git_commit_tree(&tree, commit), "revision \(revision): cannot read the commit's tree")
            defer { git_tree_free(tree) }
            var files = 0
            try write(tree!, to: directory, in: repo, files: &files)
            var ignored = Set<String>()
            for path in ignoredPaths {
                let relative: String
                if path.hasPrefix(workTree + "/") {
                    relative = String(path.dropFirst(workTree.count + 1))
                } else if workTree == "/", path.count > 1 {
                    relative = String(path.dropFirst())
                } else {
                    continue
                }
                var flag: Int32 = 0
                if git_ignore_path_is_ignored(&flag, repo.pointer, relative) == 0, flag == 1 { ignored.insert(path) }
            }
            return RevisionTree(
                workTree: workTree, revision: revision, commit: Repository.hex(git_object_id(commit).pointee),
                headCommit: try repo.headCommitID(), files: files, ignored: ignored)
        }
    }

    /// `repository` exactly as `Repository.open` does; without one, the repository enclosing
    /// `searchFrom` (searching upwards, as git does from a subdirectory).
    static func open(_ repository: String?, searchFrom: String) throws(SmokeError) -> Repository {
        if let repository { return try Repository.open(workingTree: repository) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_repository_discover(&buffer, searchFrom, 0, nil) == 0, let found = buffer.ptr else {
            throw SmokeError(
                .notARepository, "\(searchFrom): not inside a git repository",
                hint: "run it inside the repository or pass --repo DIR")
        }
        var handle: OpaquePointer?
        try LibGit2.check(git_repository_open(&handle, found), "\(String(cString: found)): cannot open repository")
        guard let handle else { throw SmokeError(.libgit2Error, "\(searchFrom): libgit2 returned no repository") }
        let opened = Repository(taking: handle)
        if git_repository_is_bare(handle) == 1 {
            throw SmokeError(
                .bareRepository, "\(String(cString: found)): is a bare repository; it has no working tree to render")
        }
        return opened
    }

    /// The commit `revision` names; the caller frees it (`git_object_free`).
    static func resolve(_ revision: String, in repository: Repository, workTree: String) throws(SmokeError)
        -> OpaquePointer
    {
        var object: OpaquePointer?
        let parsed = git_revparse_single(&object, repository.pointer, revision)
        if parsed < 0 {
            var error = LibGit2.failure(
                parsed, code: .unknownRevision, "revision \(revision) not found in \(workTree)")
            error.fields["revision"] = .string(revision)
            error.hint = "give a branch, a tag, a commit id or an expression such as HEAD~1"
            throw error
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peeled = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard peeled >= 0, let commit else {
            var error = LibGit2.failure(
                peeled, code: .unknownRevision, "revision \(revision) in \(workTree) is not a commit")
            error.fields["revision"] = .string(revision)
            throw error
        }
        return commit
    }

    /// A name that could leave the directory or write into a repository is skipped (a crafted
    /// tree can hold one; git refuses to check them out too).
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && name.lowercased() != ".git"
    }

    private static func write(_ tree: OpaquePointer, to directory: String, in repository: Repository, files: inout Int)
        throws(SmokeError)
    {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index), let rawName = git_tree_entry_name(entry) else {
                continue
            }
            let name = String(cString: rawName)
            guard isSafe(name) else { continue }
            let path = "\(directory)/\(name)"
            let mode = git_tree_entry_filemode(entry)
            switch mode {
            case GIT_FILEMODE_TREE:
                try makeDirectory(path)
                var subtree: OpaquePointer?
                try LibGit2.check(
                    git_tree_lookup(&subtree, repository.pointer, git_tree_entry_id(entry)),
                    "\(name): cannot read the tree")
                defer { git_tree_free(subtree) }
                try write(subtree!, to: path, in: repository, files: &files)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK:
                var blob: OpaquePointer?
                try LibGit2.check(
                    git_blob_lookup(&blob, repository.pointer, git_tree_entry_id(entry)),
                    "\(name): cannot read the blob")
                defer { git_blob_free(blob) }
                let size = Int(git_blob_rawsize(blob))
                let bytes = UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size)
                if mode == GIT_FILEMODE_LINK {
                    let target = String(decoding: bytes, as: UTF8.self)
                    guard symlink(target, path) == 0 else { throw writeFailure(path) }
                } else {
                    try writeFile(bytes, to: path, mode: mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0o755 : 0o644)
                }
                files += 1
            default:
                // A submodule (a commit entry): an empty directory, as a clone without submodules has.
                try makeDirectory(path)
            }
        }
    }

    private static func makeDirectory(_ path: String) throws(SmokeError) {
        guard mkdir(path, 0o755) == 0 else { throw writeFailure(path) }
    }

    private static func writeFile(_ bytes: UnsafeRawBufferPointer, to path: String, mode: mode_t) throws(SmokeError) {
        // The directory is new and ours: O_EXCL and O_NOFOLLOW refuse anything already there.
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw writeFailure(path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw writeFailure(path)
            }
            offset += written
        }
    }

    private static func writeFailure(_ path: String) -> SmokeError {
        SmokeError(.writeFailed, "\(path): cannot write the exported revision: \(String(cString: strerror(errno)))")
    }

    static func realPath(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
