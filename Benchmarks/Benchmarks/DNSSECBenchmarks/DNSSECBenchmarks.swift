// Primary responsibilities: package-benchmark entry for DNSSEC: RRset validation per algorithm, canonical form and
// signed data included, on the zones of Tests/DNSSECTests/Fixtures, and NSEC3 NXDOMAIN proofs at 0 and 10
// iterations.

import Benchmark
import DNSSEC
import DNSWire

/// 2030-01-01, inside the fixtures' validity period.
let now: UInt32 = 1_893_456_000

/// The default limits; each iteration starts a fresh budget, as one client query would.
let limits = ValidationLimits.default

/// The RRsets of a fixture zone.
func fixture(_ name: String, origin: DomainName) -> [RRSet] {
    let path = #filePath
    let root = String(path[..<path.range(of: "/Benchmarks/Benchmarks/")!.lowerBound])
    let text = try! String(contentsOfFile: root + "/Tests/DNSSECTests/Fixtures/\(name).signed", encoding: .utf8)
    return RRSet.group(try! ZoneFileParser(text: text, origin: origin).records())
}

/// The benchmarks package-benchmark runs; see Benchmarks/README.md for how to run them and what they measure.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 50,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    // MARK: - RRset validation (one operation = canonical form + signed data + one verification)

    let algorithms: [(name: String, fixture: String)] = [
        ("DNSSEC validate A RRset RSASHA256 (alg 8, 2048 bits)", "alg8"),
        ("DNSSEC validate A RRset RSASHA512 (alg 10, 2048 bits)", "alg10"),
        ("DNSSEC validate A RRset ECDSAP256SHA256 (alg 13)", "alg13"),
        ("DNSSEC validate A RRset ECDSAP384SHA384 (alg 14)", "alg14"),
        ("DNSSEC validate A RRset ED25519 (alg 15)", "alg15"),
        ("DNSSEC validate A RRset ED448 (alg 16)", "alg16"),
    ]
    for algorithm in algorithms {
        let origin = try! DomainName("\(algorithm.fixture).example.")
        let rrsets = fixture(algorithm.fixture, origin: origin)
        let dnskeys = rrsets.first { $0.type == .dnskey }!
        let keys = ZoneKeySet(dnskeyRRSet: dnskeys, limits: limits)
        let www = try! DomainName("www", origin: origin)
        let rrset = rrsets.first { $0.name == www && $0.type == .a }!
        var check = ValidationBudget(limits: limits)
        precondition(
            RRSetValidator.validate(rrset, keys: keys, now: now, limits: limits, budget: &check).status == .secure,
            "\(algorithm.name): fixture does not validate")
        Benchmark(algorithm.name) { benchmark in
            for _ in benchmark.scaledIterations {
                var budget = ValidationBudget(limits: limits)
                blackHole(RRSetValidator.validate(rrset, keys: keys, now: now, limits: limits, budget: &budget))
            }
        }
    }

    // MARK: - NSEC3 NXDOMAIN proof (closest encloser, next closer, wildcard: three hashes)

    let proofs: [(name: String, fixture: String)] = [
        ("DNSSEC NSEC3 NXDOMAIN proof (0 iterations)", "nsec3-optout"),
        ("DNSSEC NSEC3 NXDOMAIN proof (10 iterations)", "nsec3"),
    ]
    for proof in proofs {
        let origin = try! DomainName("\(proof.fixture).example.")
        let nsec3s = fixture(proof.fixture, origin: origin).filter { $0.type == .nsec3 }
        let qname = try! DomainName("nx", origin: origin)
        var check = ValidationBudget(limits: limits)
        let outcome = NSEC3Denial.proveNameError(
            qname: qname, zone: origin, nsec3s: nsec3s, limits: limits, budget: &check)
        precondition(outcome.status != .bogus, "\(proof.name): \(outcome.reason?.description ?? "")")
        Benchmark(proof.name) { benchmark in
            for _ in benchmark.scaledIterations {
                var budget = ValidationBudget(limits: limits)
                blackHole(
                    NSEC3Denial.proveNameError(
                        qname: qname, zone: origin, nsec3s: nsec3s, limits: limits, budget: &budget))
            }
        }
    }
}
