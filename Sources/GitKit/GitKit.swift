import CGit2

// GitKit: the domain library behind git-clean-check (libgit2 through CGit2).
public enum GitKitInfo {
    public static let domain = "git-clean-check"
    public static func libgit2Version() -> String {
        var major: Int32 = 0, minor: Int32 = 0, rev: Int32 = 0
        git_libgit2_version(&major, &minor, &rev)
        return "\(major).\(minor).\(rev)"
    }
}
