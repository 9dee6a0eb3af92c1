#!/usr/bin/env bash
# Runs the libFuzzer targets built by build.sh, one after the other, each for SECONDS seconds at the
# lowest CPU priority (the machine is shared). Each target starts from its seeds in Tests/Fuzz and what
# earlier runs found in .build-fuzz/corpus-TARGET, where new inputs go; crashes, hangs (an input that
# takes over 10 s), leaks and memory over 4 GiB (ASan's quarantine alone holds 256 MiB) go to
# .build-fuzz/artifacts-TARGET/, the output to .build-fuzz/fuzz-TARGET.log.
# A target that fails does not stop the others; the exit status says whether any failed.
# Usage: Tests/Fuzz/run.sh SECONDS [TARGET…]   (dnswire response configuration control; all by default)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-fuzz"
seconds="${1:?usage: run.sh SECONDS [TARGET…]}"
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(dnswire response configuration control); fi
failed=()
for target in "${targets[@]}"; do
    # The codec's seeds predate the other targets' and keep their folder name.
    seeds="$root/Tests/Fuzz/corpus-$target"
    if [ "$target" = dnswire ]; then seeds="$root/Tests/Fuzz/corpus"; fi
    # LeakSanitizer cannot follow pointers that Swift stores with tag bits in enum payloads, so the
    # response target's long-lived fixture (records in RData enums) looks leaked; its leaks go unchecked.
    leaks=1
    if [ "$target" = response ]; then leaks=0; fi
    mkdir -p "$out/corpus-$target" "$out/artifacts-$target"
    echo "fuzz-$target: ${seconds} s, new inputs in .build-fuzz/corpus-$target"
    # SWIFT_BACKTRACE off: Swift's backtracer would catch the trap before libFuzzer writes the input.
    ASAN_OPTIONS="detect_leaks=$leaks" SWIFT_BACKTRACE=enable=no nice -n 19 "$out/fuzz-$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/artifacts-$target/" "$out/corpus-$target" "$seeds" \
        >"$out/fuzz-$target.log" 2>&1
    status=$?
    grep -E "^#[0-9]+.*(DONE|pulse)|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)" \
        "$out/fuzz-$target.log" | tail -4
    if [ $status -ne 0 ]; then
        failed+=("$target")
        grep -E "Fatal error|ERROR: |SUMMARY|Test unit written" "$out/fuzz-$target.log" | head -5
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "failed: ${failed[*]} (see .build-fuzz/fuzz-TARGET.log and .build-fuzz/artifacts-TARGET/)"
    exit 1
fi
echo "no failures: ${targets[*]}"
