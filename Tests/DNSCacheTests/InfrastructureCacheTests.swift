// Primary responsibilities: the server cache — RFC 6298 smoothing, back-off and hold-down,
// EDNS/TCP flags, lameness per zone, DNS cookies, ageing.

import DNSCache
import DNSWire
import Testing

@Suite("Infrastructure cache")
struct InfrastructureCacheTests {
    let server = ServiceAddress(host: .v4(0xC000_0235))

    @Test("RTT samples are smoothed as RFC 6298 §2 says")
    func smoothing() {
        let cache = InfrastructureCache()
        #expect(cache.info(for: server, now: at(0)).smoothedRTT == nil)
        #expect(cache.info(for: server, now: at(0)).retransmissionTimeout == 400)
        cache.recordRTT(100, for: server, now: at(0))
        var info = cache.info(for: server, now: at(0))
        #expect(info.smoothedRTT == 100)
        #expect(info.rttVariation == 50)
        #expect(info.retransmissionTimeout == 300)
        cache.recordRTT(200, for: server, now: at(1))
        info = cache.info(for: server, now: at(1))
        #expect(info.rttVariation == 62)  // (3 × 50 + 100) / 4
        #expect(info.smoothedRTT == 112)  // (7 × 100 + 200) / 8
        #expect(info.retransmissionTimeout == 360)  // 112 + 4 × 62
    }

    @Test("timeouts double the RTO up to the cap, then hold the server down; an answer ends it")
    func backoff() {
        var configuration = InfrastructureCache.Configuration()
        configuration.maximumRTO = 2000
        let cache = InfrastructureCache(configuration: configuration)
        cache.recordRTT(100, for: server, now: at(0))
        cache.recordTimeout(for: server, now: at(1))
        #expect(cache.info(for: server, now: at(1)).retransmissionTimeout == 600)
        cache.recordTimeout(for: server, now: at(1))
        cache.recordTimeout(for: server, now: at(1))
        #expect(cache.info(for: server, now: at(1)).retransmissionTimeout == 2000)
        #expect(cache.info(for: server, now: at(1)).isUsable(at: at(1)))
        cache.recordTimeout(for: server, now: at(1))
        let held = cache.info(for: server, now: at(1))
        #expect(held.consecutiveTimeouts == 4)
        #expect(held.heldDownUntil == at(6))
        #expect(!held.isUsable(at: at(5)))
        #expect(held.isUsable(at: at(6)))
        cache.recordTimeout(for: server, now: at(6))
        #expect(cache.info(for: server, now: at(6)).heldDownUntil == at(16))
        cache.recordRTT(80, for: server, now: at(7))
        let recovered = cache.info(for: server, now: at(7))
        #expect(recovered.consecutiveTimeouts == 0)
        #expect(recovered.heldDownUntil == nil)
        #expect(recovered.retransmissionTimeout < 2000)
    }

    @Test("the last failure's reason is kept while the server fails, and an answer forgets it")
    func lastFailure() {
        let cache = InfrastructureCache()
        #expect(cache.info(for: server, now: at(0)).lastFailure == nil)
        cache.recordTimeout(for: server, now: at(0))
        #expect(cache.info(for: server, now: at(0)).lastFailure == "timed out")
        cache.recordTimeout(for: server, now: at(1), reason: "certificate does not match dns.example")
        #expect(cache.info(for: server, now: at(1)).lastFailure == "certificate does not match dns.example")
        cache.recordRTT(30, for: server, now: at(2))
        #expect(cache.info(for: server, now: at(2)).lastFailure == nil)
    }

    @Test("a held-down server takes no queries, then exactly one probe per hold-down; an answer frees it")
    func probeClaims() {
        let cache = InfrastructureCache()
        #expect(cache.claimQuery(to: server, now: at(0)))
        for _ in 0..<3 { cache.recordTimeout(for: server, now: at(0)) }
        #expect(cache.claimQuery(to: server, now: at(0)))  // three timeouts: not held down yet
        cache.recordTimeout(for: server, now: at(0))  // the fourth: held down until 5
        #expect(!cache.claimQuery(to: server, now: at(1)))
        #expect(!cache.claimQuery(to: server, now: at(4)))
        #expect(cache.claimQuery(to: server, now: at(5)))  // the probe
        #expect(!cache.claimQuery(to: server, now: at(5)))  // everyone else waits for it
        #expect(!cache.claimQuery(to: server, now: at(19)))
        cache.recordTimeout(for: server, now: at(8))  // the probe timed out: held down 10 s
        #expect(cache.info(for: server, now: at(8)).heldDownUntil == at(18))
        #expect(!cache.claimQuery(to: server, now: at(17)))
        #expect(cache.claimQuery(to: server, now: at(18)))
        cache.recordRTT(50, for: server, now: at(18))  // it answered
        #expect(cache.claimQuery(to: server, now: at(18)))
        #expect(cache.claimQuery(to: server, now: at(18)))
    }

    @Test("EDNS, TCP-only and lameness are remembered per server and age out")
    func flagsAndAgeing() {
        let cache = InfrastructureCache()
        let other = ServiceAddress(host: .v6(high: 0x2001_0DB8_0000_0000, low: 1))
        cache.setEDNS(.unsupported, for: server, now: at(0))
        cache.setTCPOnly(true, for: other, now: at(0))
        cache.markLame(server, zone: name("example."), now: at(0))
        #expect(cache.info(for: server, now: at(10)).edns == .unsupported)
        #expect(cache.info(for: other, now: at(10)).tcpOnly)
        #expect(!cache.info(for: server, now: at(10)).tcpOnly)
        #expect(cache.isLame(server, zone: name("EXAMPLE."), now: at(10)))
        #expect(!cache.isLame(server, zone: name("org."), now: at(10)))
        #expect(!cache.isLame(other, zone: name("example."), now: at(10)))
        #expect(cache.info(for: server, now: at(900)).edns == .unknown)
        #expect(!cache.isLame(server, zone: name("example."), now: at(900)))
        #expect(other.description == "2001:db8::1@53")
        #expect(server.description == "192.0.2.53@53")
    }

    @Test("a server's DNS cookie is remembered, replaced by a newer one, and ages out with the entry")
    func serverCookie() {
        let cache = InfrastructureCache()
        #expect(cache.info(for: server, now: at(0)).serverCookie == nil)
        cache.setServerCookie([1, 2, 3, 4, 5, 6, 7, 8], for: server, now: at(0))
        #expect(cache.info(for: server, now: at(10)).serverCookie == [1, 2, 3, 4, 5, 6, 7, 8])
        cache.setServerCookie(Array(repeating: 9, count: 16), for: server, now: at(20))
        #expect(cache.info(for: server, now: at(30)).serverCookie == Array(repeating: 9, count: 16))
        #expect(cache.info(for: server, now: at(20 + 900)).serverCookie == nil)
    }
}
