import CGit2

/// Maps libgit2 status flags to the letters of `git status --porcelain=v1` (git's
/// wt-status.c short format).
enum PorcelainCode {
    static func index(_ flags: UInt32) -> Character {
        if flags & GIT_STATUS_INDEX_NEW.rawValue != 0 { return "A" }
        if flags & GIT_STATUS_INDEX_DELETED.rawValue != 0 { return "D" }
        if flags & GIT_STATUS_INDEX_RENAMED.rawValue != 0 { return "R" }
        if flags & GIT_STATUS_INDEX_TYPECHANGE.rawValue != 0 { return "T" }
        if flags & GIT_STATUS_INDEX_MODIFIED.rawValue != 0 { return "M" }
        return " "
    }

    static func worktree(_ flags: UInt32) -> Character {
        if flags & GIT_STATUS_WT_DELETED.rawValue != 0 { return "D" }
        if flags & GIT_STATUS_WT_RENAMED.rawValue != 0 { return "R" }
        if flags & GIT_STATUS_WT_TYPECHANGE.rawValue != 0 { return "T" }
        if flags & GIT_STATUS_WT_MODIFIED.rawValue != 0 { return "M" }
        return " "
    }

    static func isUntracked(_ flags: UInt32) -> Bool { flags & GIT_STATUS_WT_NEW.rawValue != 0 }
    static func isConflicted(_ flags: UInt32) -> Bool { flags & GIT_STATUS_CONFLICTED.rawValue != 0 }

    /// The two letters git prints for an unmerged path, from which stages the index holds:
    /// 1 common ancestor, 2 ours, 3 theirs.
    static func conflict(ancestor: Bool, ours: Bool, theirs: Bool) -> (Character, Character) {
        switch (ancestor, ours, theirs) {
        case (true, false, false): ("D", "D")  // both deleted
        case (false, true, false): ("A", "U")  // added by us
        case (true, true, false): ("U", "D")  // deleted by them
        case (false, false, true): ("U", "A")  // added by them
        case (true, false, true): ("D", "U")  // deleted by us
        case (false, true, true): ("A", "A")  // both added
        default: ("U", "U")  // both modified
        }
    }
}
