// The process's own command line, captured before main() from the arguments the C runtime hands to
// the executable's initialisers. Swift's runtime on Linux finds argv by walking the stack up from
// `environ`; a preloaded library that calls setenv() first (libfaketime does) moves `environ` off
// the stack and CommandLine.arguments comes back empty, so mamorid ran on its built-in defaults.
// Also the heap's free bytes and malloc_trim(), which the Glibc module does not export.
#ifndef CMAMORIPROCESS_H
#define CMAMORIPROCESS_H

#include <stddef.h>

/// The argument count seen at start, or 0 when the C runtime passed none (not glibc).
int CMamoriProcess_argc(void);
/// The argument vector seen at start (NULL-terminated), or NULL.
char *const *CMamoriProcess_argv(void);

/// Bytes glibc's allocator holds free in all its arenas (mallinfo2's fordblks).
size_t CMamoriProcess_heapFreeBytes(void);
/// Returns the free pages of every arena to the kernel (malloc_trim(0)): 1 when some were. glibc
/// still counts them as free bytes (they are released in place), so the resident size tells.
int CMamoriProcess_heapTrim(void);

/// The git commit the package was built from (MAMORI_REVISION, set by Package.swift), or "unknown".
const char *CMamoriProcess_revision(void);

#endif
