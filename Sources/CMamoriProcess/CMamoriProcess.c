// Captures argc/argv in an .init_array function: glibc calls those of the main executable with
// (argc, argv, envp), and argv is the kernel's vector on the initial stack, which setenv() in an
// earlier initialiser does not move.
#include "CMamoriProcess.h"

static int capturedArgc = 0;
static char *const *capturedArgv = 0;

static void capture(int argc, char **argv, char **envp) {
    (void)envp;
    capturedArgc = argc;
    capturedArgv = argv;
}

__attribute__((section(".init_array"), used)) static void (*const captureEntry)(int, char **, char **) = capture;

int CMamoriProcess_argc(void) { return capturedArgc; }

char *const *CMamoriProcess_argv(void) { return capturedArgv; }

#ifndef MAMORI_REVISION
#define MAMORI_REVISION "unknown"
#endif

const char *CMamoriProcess_revision(void) { return MAMORI_REVISION; }
