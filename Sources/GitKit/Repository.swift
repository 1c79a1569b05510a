import CGit2
import Foundation
import SmokeCore

/// An open libgit2 repository, freed when released. Use only inside a `LibGit2.session`.
final class Repository {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { git_repository_free(pointer) }

    /// Opens the working tree at `directory` exactly (no search upwards: a checkout nested in
    /// an unrelated directory must not silently report on a parent repository).
    static func open(workingTree directory: String) throws(SmokeError) -> Repository {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw SmokeError(.directoryNotFound, "\(directory): no such directory")
        }
        guard isDirectory.boolValue else {
            throw SmokeError(.notADirectory, "\(directory): is a file, expected a repository directory")
        }
        var handle: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let result = git_repository_open_ext(&handle, directory, flags, nil)
        if result == GIT_ENOTFOUND.rawValue {
            var error = SmokeError(
                .notARepository,
                "\(directory): not a git repository: \(LibGit2.lastErrorMessage())")
            if let enclosing = enclosingWorkingTree(of: directory) {
                error.hint = "\(directory) is inside the repository at \(enclosing); pass that top-level directory"
            }
            throw error
        }
        if result == GIT_EOWNER.rawValue {
            var error = LibGit2.failure(result, code: .repositoryNotOwned, directory)
            error.hint = "the repository belongs to another user; libgit2 refuses it as git does without safe.directory"
            throw error
        }
        try LibGit2.check(result, "\(directory): cannot open repository")
        guard let handle else { throw SmokeError(.libgit2Error, "\(directory): libgit2 returned no repository") }
        let repository = Repository(taking: handle)
        if git_repository_is_bare(handle) == 1 {
            throw SmokeError(.bareRepository, "\(directory): is a bare repository; it has no working tree to check")
        }
        return repository
    }

    private static func enclosingWorkingTree(of directory: String) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_repository_discover(&buffer, directory, 0, nil) == 0, let found = buffer.ptr else { return nil }
        var handle: OpaquePointer?
        guard git_repository_open(&handle, found) == 0, let handle else { return nil }
        defer { git_repository_free(handle) }
        guard let workdir = git_repository_workdir(handle) else { return nil }
        return Self.trimmedDirectory(String(cString: workdir))
    }

    /// The working tree root, without the trailing slash libgit2 adds.
    var workingDirectory: String? {
        guard let workdir = git_repository_workdir(pointer) else { return nil }
        return Self.trimmedDirectory(String(cString: workdir))
    }

    /// The commit HEAD points at, or nil in a repository with no commits yet.
    func headCommitID() throws(SmokeError) -> String? {
        try headCommit().map(Self.hex)
    }

    func headCommit() throws(SmokeError) -> git_oid? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, "HEAD")
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EUNBORNBRANCH.rawValue { return nil }
        try LibGit2.check(result, "cannot resolve HEAD")
        return oid
    }

    /// The tree of commit `commit`.
    func treeID(ofCommit commit: git_oid) throws(SmokeError) -> git_oid {
        var id = commit
        var handle: OpaquePointer?
        try LibGit2.check(git_commit_lookup(&handle, pointer, &id), "cannot read the HEAD commit")
        defer { git_commit_free(handle) }
        guard let tree = git_commit_tree_id(handle) else {
            throw SmokeError(.libgit2Error, "the HEAD commit has no tree")
        }
        return tree.pointee
    }

    /// The repository's index, loaded from disk on first use; the caller frees it (`git_index_free`).
    func index() throws(SmokeError) -> OpaquePointer {
        var handle: OpaquePointer?
        try LibGit2.check(git_repository_index(&handle, pointer), "cannot open the index")
        guard let handle else { throw SmokeError(.libgit2Error, "libgit2 returned no index") }
        return handle
    }

    /// The branch HEAD names (also before the first commit), or nil when HEAD is detached.
    func branchName() throws(SmokeError) -> String? {
        var reference: OpaquePointer?
        let result = git_reference_lookup(&reference, pointer, "HEAD")
        try LibGit2.check(result, "cannot read HEAD")
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC,
            let target = git_reference_symbolic_target(reference)
        else { return nil }
        let name = String(cString: target)
        let prefix = "refs/heads/"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    static func hex(_ oid: git_oid) -> String {
        var copy = oid
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_fmt(&buffer, &copy)
        return String(decoding: buffer.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func trimmedDirectory(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
