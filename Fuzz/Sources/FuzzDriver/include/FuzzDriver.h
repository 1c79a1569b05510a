#ifndef STELAE_SMOKE_FUZZ_DRIVER_H
#define STELAE_SMOKE_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (libclang_rt.fuzzer, linked by -sanitize=fuzzer). SwiftPM renames an
// executable's entry point to <Module>_main and points `main` at it, so libFuzzer's own main is
// never used: each target's top-level code calls the driver with its callback instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static inline int stelae_fuzz_main(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
#endif
