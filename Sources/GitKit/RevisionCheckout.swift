import CGit2
import SmokeCore

/// Checks out `--rev` in a fresh clone as `git clone` + `git checkout REV` would: a branch of the
/// remote becomes a local tracking branch; a tag, commit id or other revision expression is
/// checked out detached.
enum RevisionCheckout {
    static func checkout(_ revision: String, in repository: Repository) throws(SmokeError) {
        if try checkoutRemoteBranch(revision, in: repository) { return }
        var object: OpaquePointer?
        let parsed = git_revparse_single(&object, repository.pointer, revision)
        if parsed < 0 {
            throw LibGit2.failure(parsed, code: .unknownRevision, "--rev \(revision)")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peeled = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        if peeled < 0 {
            throw LibGit2.failure(peeled, code: .unknownRevision, "--rev \(revision): not a commit")
        }
        defer { git_object_free(commit) }
        try checkoutTree(commit, in: repository, revision: revision)
        try LibGit2.check(
            git_repository_set_head_detached(repository.pointer, git_object_id(commit)),
            "--rev \(revision): cannot detach HEAD")
    }

    /// Returns false when `origin/<revision>` is not a branch of the clone.
    private static func checkoutRemoteBranch(_ revision: String, in repository: Repository) throws(SmokeError) -> Bool {
        var remoteReference: OpaquePointer?
        guard git_reference_lookup(&remoteReference, repository.pointer, "refs/remotes/origin/\(revision)") == 0 else {
            return false
        }
        defer { git_reference_free(remoteReference) }
        if try repository.branchName() == revision, try repository.headCommitID() != nil { return true }
        var commit: OpaquePointer?
        try LibGit2.check(
            git_reference_peel(&commit, remoteReference, GIT_OBJECT_COMMIT),
            "--rev \(revision): cannot resolve the branch")
        defer { git_object_free(commit) }
        try checkoutTree(commit, in: repository, revision: revision)
        var branch: OpaquePointer?
        try LibGit2.check(
            git_branch_create(&branch, repository.pointer, revision, commit, 1),
            "--rev \(revision): cannot create the branch")
        defer { git_reference_free(branch) }
        try LibGit2.check(
            git_branch_set_upstream(branch, "origin/\(revision)"), "--rev \(revision): cannot set the upstream")
        try LibGit2.check(
            git_repository_set_head(repository.pointer, "refs/heads/\(revision)"),
            "--rev \(revision): cannot point HEAD at the branch")
        return true
    }

    private static func checkoutTree(_ commit: OpaquePointer?, in repository: Repository, revision: String)
        throws(SmokeError)
    {
        var options = git_checkout_options()
        try LibGit2.check(
            git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)),
            "cannot initialise checkout options")
        // A fresh clone has no local changes to protect: make the tree match the revision exactly.
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try LibGit2.check(
            git_checkout_tree(repository.pointer, commit, &options), "--rev \(revision): checkout failed")
    }
}
