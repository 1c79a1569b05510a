#ifndef STELAE_SMOKE_CGIT2_SHIM_H
#define STELAE_SMOKE_CGIT2_SHIM_H
#include <git2.h>
// Variadic C functions are not callable from Swift: wrap the ones we need here as static inline.

/// git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir); either may be NULL.
static inline int stelae_git_set_ssl_cert_locations(const char *file, const char *dir) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir);
}

/// Shallow fetches arrived in libgit2 1.7 (`git_fetch_options.depth`). Returns 0 when the depth
/// was set, -1 when the linked headers predate it, so Swift can refuse `--depth` honestly
/// instead of ignoring it.
static inline int stelae_git_fetch_options_set_depth(git_fetch_options *options, int depth) {
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 7)
    options->depth = depth;
    return 0;
#else
    (void)options;
    (void)depth;
    return -1;
#endif
}
#endif
