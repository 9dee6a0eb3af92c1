// Primary responsibilities: several threads reading and writing the same cache — no lost update,
// no torn entry, no crash.

import DNSCache
import DNSSEC
import DNSWire
import Dispatch
import Synchronization
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("writers on four threads lose no insertion; readers never see a torn entry")
    func readersAndWriters() {
        let cache = ResolverCache(configuration: testConfiguration(maxBytes: 256 << 20, shards: 64))
        let perThread = 5000
        let threads = 4
        let torn = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads * 2) { worker in
            let thread = worker % threads
            if worker < threads {
                for index in 0..<perThread {
                    let value = UInt32(thread * perThread + index)
                    cache.insert(
                        RRSet(
                            name: name("n\(index).t\(thread).example."), type: .a, ttl: 3600,
                            rdatas: [.a(A(address: value))]),
                        rank: .answerAuthoritative, status: .insecure, now: at(0))
                    // Everyone fights over one shared key too.
                    cache.insert(
                        RRSet(name: name("shared.example."), type: .a, ttl: 3600, rdatas: [.a(A(address: value))]),
                        rank: .answerAuthoritative, status: .insecure, now: at(0))
                }
            } else {
                for index in 0..<perThread {
                    let other = (thread + 1) % threads
                    if let hit = cache.lookup(name("n\(index).t\(other).example."), .a, now: at(0)),
                        hit.rrset.rdatas != [.a(A(address: UInt32(other * perThread + index)))]
                    {
                        torn.add(1, ordering: .relaxed)
                    }
                    if let shared = cache.lookup(name("shared.example."), .a, now: at(0)),
                        shared.rrset.rdatas.count != 1
                    {
                        torn.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        #expect(torn.load(ordering: .relaxed) == 0)
        var missing = 0
        for thread in 0..<threads {
            for index in 0..<perThread {
                let hit = cache.lookup(name("n\(index).t\(thread).example."), .a, now: at(1))
                if hit?.rrset.rdatas != [.a(A(address: UInt32(thread * perThread + index)))] { missing += 1 }
            }
        }
        #expect(missing == 0)
        let statistics = cache.statistics(now: at(1))
        #expect(statistics.entries(.rrset) == threads * perThread + 1)
        #expect(statistics.counters.inserts == 2 * threads * perThread)
        #expect(statistics.counters.evictions == 0)
    }

    @Test("concurrent flushes, inserts and lookups under a tight bound do not crash or break accounting")
    func churn() async {
        let configuration = testConfiguration(maxBytes: 512 << 10, shards: 4)
        let cache = ResolverCache(configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<4000 {
                        let owner = name("c\(index % 1500).example.")
                        switch (worker + index) % 7 {
                        case 0: cache.flush(name: owner)
                        case 1: _ = cache.lookupNegative(owner, .a, now: at(Int64(index)))
                        case 2 where index % 500 == 0: cache.flushZone(name("example."))
                        default:
                            cache.insert(
                                RRSet(name: owner, type: .a, ttl: 30, rdatas: [.a(A(address: 1))]),
                                rank: .answerAuthoritative, status: .insecure, now: at(Int64(index)))
                            _ = cache.lookup(owner, .a, now: at(Int64(index)))
                        }
                    }
                }
            }
        }
        #expect(cache.bytesUsed <= configuration.maxBytes)
        let statistics = cache.statistics(now: at(5000))
        #expect(statistics.totalEntries >= 0 && statistics.counters.inserts > 0)
    }
}
