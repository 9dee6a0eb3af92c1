// swift-tools-version:6.1
// The architecture, written down: each target is one concern, and dependencies point one way
// (DNSWire ← DNSSEC ← DNSCache ← Resolver ← MamoriSystem ← ResolverServer ← MamoriService ← mamorid;
// MamoriConfiguration speaks the engine's vocabulary, so it sits above Resolver and below MamoriService).
// See ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "Mamori",
    // The lower half is a library others may use (the benchmarks do): its API is `public`. Every
    // target above it exists for the daemon, and shares what it shares with `package` access.
    products: [
        .library(name: "DNSWire", targets: ["DNSWire"]),
        .library(name: "DNSCrypto", targets: ["DNSCrypto"]),
        .library(name: "DNSSEC", targets: ["DNSSEC"]),
        .library(name: "DNSCache", targets: ["DNSCache"]),
        .library(name: "Blocklists", targets: ["Blocklists"]),
        .library(name: "LocalZones", targets: ["LocalZones"]),
        .executable(name: "mamorid", targets: ["mamorid"]),
        .executable(name: "mamorictl", targets: ["mamorictl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
    ],
    targets: [
        // MARK: - Codec
        .target(name: "DNSWire"),
        .testTarget(name: "DNSWireTests", dependencies: ["DNSWire"]),

        // MARK: - Crypto (the only importer of COpenSSL; raw bytes in; DNSWire only for names and the error shape)
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "DNSCrypto", dependencies: ["COpenSSL", "DNSWire"]),
        .testTarget(name: "DNSCryptoTests", dependencies: ["DNSCrypto"]),

        // MARK: - TLS (the only importer of CTLS, libssl: DNS over TLS and HTTPS for clients and forwarders)
        .systemLibrary(name: "CTLS", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "MamoriTLS", dependencies: ["CTLS", "DNSWire"]),
        .testTarget(name: "MamoriTLSTests", dependencies: ["MamoriTLS", "SocketTestKit", "DNSWire"]),

        // MARK: - HTTP/2 (the only importer of CNGHTTP2, libnghttp2: the server side of DNS over HTTPS)
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .target(name: "MamoriHTTP2", dependencies: ["CNGHTTP2"]),
        .testTarget(name: "MamoriHTTP2Tests", dependencies: ["MamoriHTTP2"]),

        // MARK: - dnstap (the only importer of CFstrm, libfstrm: Frame Streams to a collector; the
        // dnstap.proto encoding by hand)
        .systemLibrary(name: "CFstrm", pkgConfig: "libfstrm", providers: [.apt(["libfstrm-dev"])]),
        .target(name: "Dnstap", dependencies: ["CFstrm", "DNSWire"]),
        .testTarget(name: "DnstapTests", dependencies: ["Dnstap", "DNSWire"]),

        // MARK: - Validation (pure: data and time in, verdict out)
        .target(name: "DNSSEC", dependencies: ["DNSWire", "DNSCrypto"]),
        .testTarget(name: "DNSSECTests", dependencies: ["DNSSEC", "DNSWire", "DNSCrypto"], exclude: ["Fixtures"]),

        // MARK: - Resolution engine (no sockets, no clock: a transport and a clock are injected)
        .target(name: "Resolver", dependencies: ["DNSWire", "DNSCrypto", "DNSSEC", "DNSCache"]),
        .target(
            name: "ResolverTestKit",
            dependencies: [
                "DNSWire", "DNSSEC", "DNSCache", "Resolver", "MamoriConfiguration", "MamoriService", "AddressPolicy",
                "LocalZones",
            ]),
        .testTarget(
            name: "ResolverTestKitTests", dependencies: ["ResolverTestKit", "DNSWire", "Resolver"],
            exclude: ["Scenarios"]),

        // MARK: - Cache (RRsets, negative answers, keys, servers; memory-bounded, sharded locks)
        .target(name: "DNSCache", dependencies: ["DNSWire", "DNSSEC"]),
        .testTarget(name: "DNSCacheTests", dependencies: ["DNSCache"]),

        // MARK: - Address policy (pure: answers in, answers out): rebinding ranges, RFC 6052 / DNS64 synthesis
        .target(name: "AddressPolicy", dependencies: ["DNSWire"]),
        .testTarget(name: "AddressPolicyTests", dependencies: ["AddressPolicy", "DNSWire"]),

        // MARK: - Blocklists (hosts, domain-list and RPZ files in a packed, memory-bounded name table)
        .target(name: "Blocklists", dependencies: ["DNSWire"]),
        .testTarget(name: "BlocklistsTests", dependencies: ["Blocklists", "DNSWire"]),

        // MARK: - Local zones (local data, hosts files, RFC 6303 / 8375 / 6761 locally served zones; pure)
        .target(name: "LocalZones", dependencies: ["DNSWire"]),
        .testTarget(name: "LocalZonesTests", dependencies: ["LocalZones", "DNSWire"]),

        // MARK: - Daemon: configuration, the operating system, listeners, the executable
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(name: "CMamoriNet", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "CMamoriProcess"),
        // The control protocol's words, shared by the daemon and mamorictl.
        .target(name: "MamoriControl", dependencies: ["DNSWire"], plugins: ["MamoriRevision"]),
        // The git revision compiled into MamoriControl's MamoriVersion (mamorid --version, mamorictl version).
        .plugin(name: "MamoriRevision", capability: .buildTool()),
        .testTarget(name: "MamoriControlTests", dependencies: ["MamoriControl", "DNSWire"]),
        // mamori.yaml, in the engine's vocabulary: its sections hold the engine's values and defaults.
        .target(
            name: "MamoriConfiguration",
            dependencies: [
                "DNSWire", "DNSSEC", "DNSCache", "Resolver", "AddressPolicy", "LocalZones",
                .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(
            name: "MamoriConfigurationTests",
            dependencies: ["MamoriConfiguration", "DNSWire", "DNSSEC", "DNSCache", "Resolver", "LocalZones"]),
        // The operating system beneath the service: what has a syscall and is not a client listener
        // (the engine's socket transport and clock, systemd, privileges, the control and metrics sockets).
        .target(
            name: "MamoriSystem",
            dependencies: [
                "DNSWire", "Resolver", "MamoriControl", "MamoriTLS", "CMamoriNet", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "MamoriSystemTests",
            dependencies: [
                "MamoriSystem", "SocketTestKit", "Resolver", "MamoriControl", "MamoriTLS", "DNSWire",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The client listeners: access control, the query path, DNS cookies, the listeners' metrics.
        .target(
            name: "ResolverServer",
            dependencies: [
                "DNSWire", "DNSCrypto", "DNSSEC", "DNSCache", "Resolver", "MamoriSystem", "MamoriTLS", "MamoriHTTP2",
                "CMamoriNet", .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .testTarget(
            name: "ResolverServerTests",
            dependencies: [
                "ResolverServer", "MamoriService", "MamoriSystem", "SocketTestKit", "Resolver", "DNSCache", "DNSSEC",
                "DNSCrypto", "MamoriConfiguration", "MamoriTLS", "MamoriHTTP2", "DNSWire", "CMamoriNet",
            ]),
        // A blocking loopback client (UDP, TCP, unix) with receive timeouts, for the socket tests.
        .target(name: "SocketTestKit", dependencies: ["DNSWire"], path: "Tests/SocketTestKit"),

        // MARK: - Service: the composition root as a library (configuration → engine, the query
        // handler, persistence, RFC 5011 maintenance, control commands), testable in-process
        .target(
            name: "MamoriService",
            dependencies: [
                "DNSWire", "DNSCrypto", "DNSSEC", "DNSCache", "Resolver", "MamoriConfiguration", "MamoriControl",
                "MamoriSystem", "MamoriTLS", "ResolverServer", "CMamoriProcess", "AddressPolicy", "Blocklists", "Dnstap",
                "LocalZones", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "MamoriServiceTests",
            dependencies: [
                "MamoriService", "ResolverTestKit", "Resolver", "ResolverServer", "MamoriSystem", "DNSCache", "DNSSEC",
                "DNSWire", "MamoriConfiguration", "MamoriControl", "MamoriTLS", "SocketTestKit", "Dnstap",
                "LocalZones", .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "mamorid",
            dependencies: [
                "MamoriService", "MamoriConfiguration", "MamoriSystem", "MamoriControl", "CMamoriProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "mamorictl",
            dependencies: [
                "MamoriConfiguration", "MamoriControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "ReplayTests",
            dependencies: [
                "Resolver", "ResolverTestKit", "ResolverServer", "MamoriService", "MamoriConfiguration", "DNSCache",
                "DNSWire", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Scenarios", "Fixtures"]),
        .testTarget(name: "DaemonTests", dependencies: ["DNSWire", "CMamoriNet", "SocketTestKit", "MamoriControl"]),

        // MARK: - Fuzzing: each libFuzzer target's check, shared with the corpus replay in `make test`
        .target(
            name: "FuzzHarness",
            dependencies: [
                "DNSWire", "DNSSEC", "DNSCache", "Resolver", "ResolverTestKit", "MamoriConfiguration",
                "MamoriSystem", "MamoriService", "MamoriControl",
            ],
            path: "Tests/Fuzz/Harness"),
        .testTarget(name: "FuzzHarnessTests", dependencies: ["FuzzHarness", "DNSSEC", "DNSWire", "Resolver"]),
    ]
)

// The libFuzzer executables (Tests/Fuzz/README.md), one per target, exist only when Tests/Fuzz/build.sh
// sets MAMORI_FUZZ: they have no `main` (libFuzzer brings it), so every other build leaves them out.
if Context.environment["MAMORI_FUZZ"] != nil {
    for (product, target) in [
        ("fuzz-dnswire", "FuzzDNSWire"), ("fuzz-response", "FuzzResponse"),
        ("fuzz-configuration", "FuzzConfiguration"), ("fuzz-control", "FuzzControl"),
    ] {
        package.targets.append(
            .executableTarget(
                name: target, dependencies: target == "FuzzDNSWire" ? ["DNSWire"] : ["FuzzHarness"],
                path: "Tests/Fuzz/Entries/\(target)"))
        package.products.append(.executable(name: product, targets: [target]))
    }
}

// Habits applied to every target: Swift 6 language mode comes with the tools version; these catch
// implicit existentials and imports leaking between modules.
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
