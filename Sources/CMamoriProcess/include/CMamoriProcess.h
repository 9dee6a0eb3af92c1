// The process's own command line, captured before main() from the arguments the C runtime hands to
// the executable's initialisers. Swift's runtime on Linux finds argv by walking the stack up from
// `environ`; a preloaded library that calls setenv() first (libfaketime does) moves `environ` off
// the stack and CommandLine.arguments comes back empty, so mamorid ran on its built-in defaults.
#ifndef CMAMORIPROCESS_H
#define CMAMORIPROCESS_H

/// The argument count seen at start, or 0 when the C runtime passed none (not glibc).
int CMamoriProcess_argc(void);
/// The argument vector seen at start (NULL-terminated), or NULL.
char *const *CMamoriProcess_argv(void);

#endif
