/*
 * libgit2 alone: the status git-clean-check asks libgit2 for, with no Swift, no argument parser
 * and no JSON, as the floor its times and memory are measured against (bench/git.sh builds it,
 * bench/git_bench.py runs it beside git-clean-check and git). It prints porcelain v1 -z so the
 * bench can check it lists git's entries before it is timed.
 *
 * By default one plain run on one thread (SHOW_INDEX_AND_WORKDIR): libgit2 as it comes, reading
 * every tree of HEAD. --workdir-only [THREADS] drops HEAD against the index and, with THREADS > 1,
 * shares one loaded index between a run per thread over groups of paths: git-clean-check's shape
 * (Sources/GitKit/StatusReader.swift) when nothing is staged, without the rest of git-clean-check.
 * It misses staged files, so it is for FLOOR_ARGS on clean and untracked trees only.
 *
 * Left out on purpose: HEAD and branch lookups, conflict stages (printed UU) and intent-to-add
 * (printed as added); the bench makes neither. Nothing is freed: the process exits.
 *
 * Usage: git_floor REPO [--workdir-only [THREADS]]
 */
#include <dirent.h>
#include <git2.h>
#include <git2/sys/repository.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAGS (GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS | \
               GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_NO_REFRESH)

/* One status run: on `repo`, or on a handle of its own sharing `index`, over `paths` (all if none). */
struct run {
    git_repository *repo;
    const char *workdir;
    git_index *index;
    git_status_show_t show;
    git_strarray paths;
    git_status_list *list;
    const char *error;
};

/* The letters of git's wt-status.c short format, as Sources/GitKit/PorcelainCode.swift maps them. */
static char index_code(unsigned flags)
{
    if (flags & GIT_STATUS_INDEX_NEW) return 'A';
    if (flags & GIT_STATUS_INDEX_DELETED) return 'D';
    if (flags & GIT_STATUS_INDEX_RENAMED) return 'R';
    if (flags & GIT_STATUS_INDEX_TYPECHANGE) return 'T';
    if (flags & GIT_STATUS_INDEX_MODIFIED) return 'M';
    return ' ';
}

static char worktree_code(unsigned flags)
{
    if (flags & GIT_STATUS_WT_DELETED) return 'D';
    if (flags & GIT_STATUS_WT_RENAMED) return 'R';
    if (flags & GIT_STATUS_WT_TYPECHANGE) return 'T';
    if (flags & GIT_STATUS_WT_MODIFIED) return 'M';
    return ' ';
}

static void entry(char x, char y, const char *path, const char *orig)
{
    printf("%c%c %s%c", x, y, path, 0);
    if (orig) printf("%s%c", orig, 0);
}

static void print(git_status_list *list)
{
    for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
        const git_status_entry *e = git_status_byindex(list, i);
        unsigned flags = e->status;
        const char *path = e->head_to_index ? e->head_to_index->new_file.path
            : e->index_to_workdir->new_file.path ? e->index_to_workdir->new_file.path
            : e->index_to_workdir->old_file.path;
        char x = index_code(flags);
        if (flags & GIT_STATUS_CONFLICTED) {
            entry('U', 'U', path, NULL);
        } else if (flags & GIT_STATUS_WT_NEW) {
            /* Deleted from the index but on disk is one libgit2 entry, two lines for git. */
            if (x != ' ') entry(x, ' ', path, NULL);
            entry('?', '?', path, NULL);
        } else if (x != ' ' || worktree_code(flags) != ' ') {
            entry(x, worktree_code(flags), path, x == 'R' ? e->head_to_index->old_file.path : NULL);
        }
    }
}

static int fail(const char *what, const char *error)
{
    fprintf(stderr, "git_floor: %s: %s\n", what, error ? error : git_error_last() ? git_error_last()->message : "?");
    return 1;
}

/* A run on its own handle given the one loaded index, as git-clean-check does (a handle that
 * loads the index itself would load it again). Without a handle of its own: the one plain run. */
static void *status(void *arg)
{
    struct run *r = arg;
    git_repository *repo = r->repo;
    git_status_options options = GIT_STATUS_OPTIONS_INIT;
    options.show = r->show;
    /* git-clean-check's flags: -uall, staged renames as porcelain v1 shows them, and NO_REFRESH
     * (the index is loaded once anyway). Not the defaults: they include ignored files. */
    options.flags = FLAGS | (r->paths.count ? GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH : 0);
    options.pathspec = r->paths;
    if ((!repo && (git_repository_open_ext(&repo, r->workdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
                   git_repository_set_index(repo, r->index) < 0)) ||
        git_status_list_new(&r->list, repo, &options) < 0)
        r->error = git_error_last() ? strdup(git_error_last()->message) : "unknown error"; /* per thread */
    return NULL;
}

/* The working tree's second-level names (top-level files as they are) dealt round-robin to the
 * runs: cruder than StatusPartition's weights, even enough for the bench's trees. */
static void deal(struct run *runs, int threads, const char *dir, size_t *dealt)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s", runs[0].workdir, dir);
    DIR *d = opendir(path);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (!*dir && !strcmp(e->d_name, ".git"))) continue;
        snprintf(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", e->d_name);
        if (!*dir && e->d_type == DT_DIR) {
            deal(runs, threads, path, dealt);
            continue;
        }
        git_strarray *paths = &runs[(*dealt)++ % threads].paths;
        paths->strings = realloc(paths->strings, (paths->count + 1) * sizeof(char *));
        paths->strings[paths->count++] = strdup(path);
    }
    if (d) closedir(d);
}

int main(int argc, char **argv)
{
    struct run runs[64] = {{0}};
    pthread_t ids[64];
    size_t dealt = 0;
    int workdir_only = argc >= 3 && strcmp(argv[2], "--workdir-only") == 0;
    int threads = argc == 4 ? atoi(argv[3]) : 1;

    if (argc < 2 || argc > 4 || (argc > 2 && !workdir_only) || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: git_floor REPO [--workdir-only [THREADS]]\n");
        return 2;
    }
    /* Debian's libgit2 parses the whole CA bundle here: part of libgit2's price, so kept. */
    if (git_libgit2_init() < 0) return fail("init", NULL);
    if (git_repository_open(&runs[0].repo, argv[1]) < 0) return fail(argv[1], NULL);
    runs[0].show = workdir_only ? GIT_STATUS_SHOW_WORKDIR_ONLY : GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    if (threads > 1) {
        git_index *index;
        const char *workdir = git_repository_workdir(runs[0].repo);
        if (git_repository_index(&index, runs[0].repo) < 0) return fail("index", NULL);
        for (int t = 0; t < threads; t++) runs[t] = (struct run){NULL, workdir, index, runs[0].show, {0}, NULL, NULL};
        deal(runs, threads, "", &dealt);
    }
    for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, status, &runs[t]);
    status(&runs[0]);
    for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
    for (int t = 0; t < threads; t++) {
        if (runs[t].error) return fail("status", runs[t].error);
        print(runs[t].list);
    }
    return fflush(stdout) == 0 ? 0 : fail("stdout", NULL);
}
