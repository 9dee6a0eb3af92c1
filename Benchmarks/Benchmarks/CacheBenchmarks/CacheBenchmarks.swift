// Primary responsibilities: package-benchmark entry for DNSCache: lookup hit and miss and insert
// (with eviction) on 1 and 2 threads at 10 k and 1 M entries; bytes per cached A and DNSKEY+RRSIG
// RRset measured with mallinfo2 against the cache's own accounting; eviction hit ratios under Zipf.

import Benchmark
import DNSCache
import DNSCrypto
import DNSSEC
import DNSWire
import Dispatch

/// A packet cache holding the responses to 1000 DO=1 queries for `nN.bench.test. A`, each an A
/// RRset with an RRSIG as the daemon would send it.
enum PacketFixture {
    /// The clock the entries were stored at.
    static let now: Int64 = 1_800_000_000
    /// The cache and the queries that hit it.
    static let shared = make(cookies: false)
    /// The same with a COOKIE option in every query and response; the queries that hit carry client
    /// cookies other than those of the queries stored, as dig's do.
    static let withCookies = make(cookies: true)

    /// Builds a cache and its hitting queries.
    static func make(cookies: Bool) -> (PacketCache, [[UInt8]]) {
        let cache = PacketCache(maxBytes: 16 << 20)
        var queries: [[UInt8]] = []
        for index in 0..<1000 {
            var header = Header(id: UInt16(index))
            header.recursionDesired = true
            let owner = try! DomainName("n\(index).bench.test.")
            func query(client: UInt8) -> Message {
                let options: [EDNSOption] =
                    cookies ? [.cookie(client: [UInt8](repeating: client, count: 8), server: [])] : []
                return Message(
                    header: header, questions: [Question(name: owner, type: .a)],
                    edns: EDNS(dnssecOK: true, options: options))
            }
            var response = query(client: 1)
            response.header.isResponse = true
            response.header.recursionAvailable = true
            response.header.authenticData = true
            if cookies {
                response.edns?.options = [
                    .cookie(client: [UInt8](repeating: 1, count: 8), server: [UInt8](repeating: 2, count: 16))
                ]
            }
            let signature = RRSIG(
                typeCovered: .a, algorithm: DNSSECAlgorithm(rawValue: 13), labels: 3, originalTTL: 3600,
                expiration: 1_900_000_000, inception: 1_700_000_000, keyTag: 4242,
                signerName: try! DomainName("bench.test."), signature: [UInt8](repeating: 0xAB, count: 64))
            response.answer = [
                RRSet(name: owner, type: .a, ttl: 3600, rdatas: [.a(A(192, 0, 2, 1))], signatures: [signature])
            ]
            let stored = try! query(client: 1).serialized()
            let responseBytes = try! response.serialized()
            for _ in 0..<2 { cache.offer(query: stored, response: responseBytes, transport: 0, now: now) }
            queries.append(try! query(client: cookies ? UInt8(truncatingIfNeeded: index) : 1).serialized())
        }
        return (cache, queries)
    }
}

/// A server-cookie writer doing the work of ResolverServer's (one SipHash-2-4, no lock); passed in a
/// closure literal, as QueryProcessor does (a method reference would allocate its context).
struct HashingCookieWriter {
    /// The secret.
    let key: SipHashKey

    /// Writes 8 octets of version and timestamp, then the hash of the client cookie.
    func writeServerCookie(
        client: UnsafeRawBufferPointer, received: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) -> Bool {
        destination.storeBytes(of: 1, toByteOffset: 0, as: UInt64.self)
        destination.storeBytes(of: SipHash24.hash(client, key: key), toByteOffset: 8, as: UInt64.self)
        return true
    }
}

/// The benchmarks package-benchmark runs; see Benchmarks/README.md for how to run them and what they measure.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    // MARK: - Lookups and inserts (one operation = one call; 2 threads split the same count)

    // A million calls per sample, so that waking the second thread is noise, not the measurement.
    // CPU time is reported too: on a loaded machine wall-clock time measures the neighbours.
    let batched = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], scalingFactor: .mega,
        maxDuration: .seconds(4), maxIterations: 40)

    for size in [10_000, 1_000_000] {
        let label = size == 10_000 ? "10k" : "1M"
        for threads in [1, 2] {
            Benchmark(
                "Cache lookup hit \(label) entries \(threads)t",
                configuration: batched.with(setup: { _ = Fixture.of(size) })
            ) { benchmark in
                let fixture = Fixture.of(size)
                run(threads: threads, operations: benchmark.scaledIterations.count) { offset, count in
                    for index in offset..<(offset + count) {
                        blackHole(fixture.cache.lookup(fixture.name(index), .a, now: Fixture.now))
                    }
                }
            }
            Benchmark(
                "Cache lookup miss \(label) entries \(threads)t",
                configuration: batched.with(setup: { _ = Fixture.of(size) })
            ) { benchmark in
                let fixture = Fixture.of(size)
                run(threads: threads, operations: benchmark.scaledIterations.count) { offset, count in
                    for index in offset..<(offset + count) {
                        blackHole(fixture.cache.lookup(fixture.name(index), .aaaa, now: Fixture.now))
                    }
                }
            }
            Benchmark(
                "Cache insert with eviction \(label) entries \(threads)t",
                configuration: batched.with(setup: { _ = Fixture.of(size).fullCache })
            ) { benchmark in
                let fixture = Fixture.of(size)
                let cache = fixture.fullCache
                run(threads: threads, operations: benchmark.scaledIterations.count) { offset, count in
                    for index in offset..<(offset + count) {
                        let set = fixture.spare(index)
                        blackHole(cache.insert(set, rank: .answerAuthoritative, status: .insecure, now: Fixture.now))
                    }
                }
            }
        }
    }

    // MARK: - Packet cache (one operation = one replayed response, 1000 hot queries)

    Benchmark(
        "Packet cache hit (1000 entries)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal], scalingFactor: .kilo,
            maxDuration: .seconds(3))
    ) { benchmark in
        let (cache, queries) = PacketFixture.shared
        for index in benchmark.scaledIterations {
            blackHole(cache.answer(queries[index % queries.count], transport: 0, now: PacketFixture.now))
        }
    }

    // The listener's path for dig-like clients: a fresh client cookie per query, the response written
    // into a send slot, its server cookie made by a SipHash-2-4 as ResolverServer's writer does.
    Benchmark(
        "Packet cache hit with a COOKIE, into a send slot (1000 entries)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal], scalingFactor: .kilo,
            maxDuration: .seconds(3))
    ) { benchmark in
        let (cache, queries) = PacketFixture.withCookies
        let writer = HashingCookieWriter(key: .random())
        let slot = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1232)
        defer { slot.deallocate() }
        for index in benchmark.scaledIterations {
            queries[index % queries.count].withUnsafeBufferPointer { query in
                blackHole(
                    cache.answer(query, transport: 0, now: PacketFixture.now, into: slot) {
                        writer.writeServerCookie(client: $0, received: $1, into: $2)
                    })
            }
        }
    }

    // MARK: - Bytes per entry (measured once: malloc delta and accounting, divided by entries)

    let perEntry: [BenchmarkMetric] = [
        .custom("malloc bytes/entry", useScalingFactor: false),
        .custom("accounted bytes/entry", useScalingFactor: false),
    ]
    for kind in ["A", "DNSKEY+RRSIG"] {
        Benchmark(
            "Cache bytes per \(kind) RRset",
            configuration: .init(metrics: perEntry, warmupIterations: 0, scalingFactor: .one, maxIterations: 1)
        ) { benchmark in
            let (measured, accounted) = bytesPerEntry(dnskey: kind != "A", count: 100_000)
            benchmark.measurement(perEntry[0], measured)
            benchmark.measurement(perEntry[1], accounted)
        }
    }

    // MARK: - Eviction policy (hit ratio in per mille under a Zipf workload)

    for alpha in [0.8, 1.0, 1.2] {
        let metrics = EvictionPolicy.allCases.map {
            BenchmarkMetric.custom("hit‰ \($0)", polarity: .prefersLarger, useScalingFactor: false)
        }
        Benchmark(
            "Cache eviction hit ratio Zipf \(alpha)",
            configuration: .init(metrics: metrics, warmupIterations: 0, scalingFactor: .one, maxIterations: 1)
        ) { benchmark in
            for (policy, metric) in zip(EvictionPolicy.allCases, metrics) {
                benchmark.measurement(metric, Int(hitRatio(policy: policy, alpha: alpha) * 1000))
            }
        }
    }
}

/// Runs `body(offset, count)` over `operations` on `threads` threads, each a contiguous share.
func run(threads: Int, operations: Int, _ body: @Sendable (Int, Int) -> Void) {
    if threads == 1 {
        body(0, operations)
        return
    }
    let share = operations / threads
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        // Offsets far apart so the threads touch different names.
        body(thread * 7_919_993, thread == threads - 1 ? operations - share * (threads - 1) : share)
    }
}

extension Benchmark.Configuration {
    /// This configuration with a setup hook (run before measuring: builds the fixture).
    func with(setup: @escaping Benchmark.BenchmarkSetupHook) -> Benchmark.Configuration {
        var copy = self
        copy.setup = setup
        return copy
    }
}
