#ifndef STELAE_SMOKE_CGIT2_SHIM_H
#define STELAE_SMOKE_CGIT2_SHIM_H
#include <git2.h>
// Variadic C functions are not callable from Swift: wrap the ones we need here as static inline.
#endif
