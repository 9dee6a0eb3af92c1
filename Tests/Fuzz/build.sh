#!/usr/bin/env bash
# Builds the DNSWire libFuzzer target: DNSWire's sources and the entry point compiled as one module
# with libFuzzer and AddressSanitizer, into .build-fuzz/ at the package root.
# Usage: Tests/Fuzz/build.sh   (then: .build-fuzz/fuzz-dnswire Tests/Fuzz/corpus)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-fuzz"
mkdir -p "$out"
mapfile -t sources < <(find "$root/Sources/DNSWire" -name '*.swift' | sort)
swiftc -sanitize=fuzzer,address -parse-as-library -O \
    -module-name DNSWireFuzz \
    -enable-upcoming-feature ExistentialAny \
    "${sources[@]}" "$root/Tests/Fuzz/FuzzMessage.swift" \
    -o "$out/fuzz-dnswire" 2> >(grep -v "Cannot export local symbol" >&2)
echo "built $out/fuzz-dnswire"
