#!/usr/bin/env bash
# Builds the libFuzzer targets (Tests/Fuzz/README.md). Each is an executable that Package.swift defines
# only when MAMORI_FUZZ is set; SwiftPM builds it and everything it depends on (Swift and C, libyaml
# included) with libFuzzer's coverage and AddressSanitizer, in release mode, into a scratch path of its
# own, so the normal .build is never touched. Each executable is then copied to .build-fuzz/fuzz-TARGET.
# Usage: Tests/Fuzz/build.sh [TARGET…]   (dnswire response configuration control; all by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(dnswire response configuration control); fi
mkdir -p "$out"
cd "$root"
for target in "${targets[@]}"; do
    # One product at a time: the executables all define libFuzzer's entry point. Warnings are the
    # normal build's business, so the log is shown only when the build fails.
    # make's variables are dropped: with MAKEFLAGS or MAKELEVEL set (as under `make fuzz`), the Swift
    # modules came out without libFuzzer's coverage instrumentation.
    log="$out/build-$target.log"
    # Products have come out without coverage instrumentation of the Swift modules (libFuzzer then
    # reports no "cov:" and says "no interesting inputs"), and relinking did not mend it; a build in an
    # emptied scratch path did. So each executable is run once on an empty input: an instrumented one
    # reports "INITED cov: N"; the counter total alone is no test (the C modules have thousands of
    # counters of their own). Otherwise the scratch path is emptied and it is built once more.
    for attempt in 1 2; do
        if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS MAMORI_FUZZ=1 swift build -c release --scratch-path "$out/spm" \
            --sanitize=fuzzer --sanitize=address --product "fuzz-$target" >"$log" 2>&1; then
            grep -v "Cannot export local symbol" "$log" >&2
            exit 1
        fi
        coverage=$(ASAN_OPTIONS=detect_leaks=0 "$out/spm/release/fuzz-$target" -runs=0 2>&1 |
            sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | head -1)
        if [ "${coverage:-0}" -ge 1 ]; then break; fi
        if [ $attempt -eq 2 ]; then
            echo "fuzz-$target reports no coverage: not instrumented (see $log)" >&2
            exit 1
        fi
        echo "fuzz-$target came out without coverage instrumentation; building it again from scratch"
        rm -rf "$out/spm"
    done
    cp "$out/spm/release/fuzz-$target" "$out/fuzz-$target"
    echo "built $out/fuzz-$target, coverage $coverage edges on an empty input ($(tail -1 "$log"))"
done
