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
    if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS MAMORI_FUZZ=1 swift build -c release --scratch-path "$out/spm" --sanitize=fuzzer --sanitize=address \
        --product "fuzz-$target" >"$log" 2>&1; then
        grep -v "Cannot export local symbol" "$log" >&2
        exit 1
    fi
    cp "$out/spm/release/fuzz-$target" "$out/fuzz-$target"
    echo "built $out/fuzz-$target ($(tail -1 "$log"))"
done
