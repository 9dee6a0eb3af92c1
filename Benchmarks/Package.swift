// swift-tools-version:6.1
// Benchmarks live in their own package so the main build and CI never resolve package-benchmark
// (style.md §3.9). Run from this directory:
//   swift package --allow-writing-to-package-directory benchmark --filter 'Verify.*'
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, lower-cased: the checkout's, whatever it is called.
let mamori = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "MamoriBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Keys, signatures and messages shared by the crypto benchmarks.
        .target(
            name: "CryptoVectors",
            path: "Benchmarks/CryptoVectors"
        ),
        // package-benchmark suite: wall clock, throughput, CPU and malloc counts per operation.
        .executableTarget(
            name: "CryptoBenchmarks",
            dependencies: [
                "CryptoVectors",
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "DNSCrypto", package: mamori),
            ],
            path: "Benchmarks/CryptoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Verifications per second of thread CPU time, the unit `openssl speed` reports, for comparing the two on
        // a shared machine where wall-clock figures depend on the neighbours.
        .executableTarget(
            name: "CryptoCPUTime",
            dependencies: [
                "CryptoVectors",
                .product(name: "DNSCrypto", package: mamori),
            ],
            path: "Benchmarks/CryptoCPUTime"
        ),
        // DNSWire codec: parse and serialise of captured responses (Tests/Fixtures/packets).
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "DNSWire", package: mamori),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // DNSSEC: RRset validation per algorithm (canonical form included) and NSEC3 proofs.
        .executableTarget(
            name: "DNSSECBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "DNSSEC", package: mamori),
                .product(name: "DNSWire", package: mamori),
            ],
            path: "Benchmarks/DNSSECBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // DNSCache: lookups, inserts with eviction, bytes per entry, eviction hit ratios.
        .executableTarget(
            name: "CacheBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "DNSCache", package: mamori),
                .product(name: "DNSCrypto", package: mamori),
            ],
            path: "Benchmarks/CacheBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Blocklists: a one-million-name list's load time, bytes per name, RSS, and peak RSS while a
        // second list loads beside the first (a reload's swap); lookups per second.
        .executableTarget(
            name: "BlocklistMeasurements",
            dependencies: [
                .product(name: "Blocklists", package: mamori),
                .product(name: "DNSWire", package: mamori),
            ],
            path: "Benchmarks/BlocklistMeasurements"
        ),
        // Local zones: lookups per second for names nothing local holds, served zones and hosts-file
        // names; the time to build the table from a hosts file (a change's cost on the control queue).
        .executableTarget(
            name: "LocalZonesMeasurements",
            dependencies: [
                .product(name: "LocalZones", package: mamori),
                .product(name: "DNSWire", package: mamori),
            ],
            path: "Benchmarks/LocalZonesMeasurements"
        ),
    ]
)
