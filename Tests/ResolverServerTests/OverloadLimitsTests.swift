// Primary responsibilities: the bound that keeps one client from taking the listeners — waiting
// queries with fair shares.

import DNSWire
import ResolverServer
import Testing

@Suite("Overload limits")
struct OverloadLimitsTests {
    @Test("max-pending: a flooding client fills the total, then only clients below their fair share get in")
    func fairShares() {
        let limiter = PendingLimiter()
        let flooder = IPAddress.v4(0x0A00_0001)
        let other = IPAddress.v4(0x0A00_0002)
        for _ in 0..<10 { #expect(limiter.acquire(flooder, limit: 1000, totalLimit: 10) == .admitted) }
        #expect(limiter.acquire(flooder, limit: 1000, totalLimit: 10) == .totalLimit)
        // The other client's share is 10 / 2 = 5.
        for _ in 0..<5 { #expect(limiter.acquire(other, limit: 1000, totalLimit: 10) == .admitted) }
        #expect(limiter.acquire(other, limit: 1000, totalLimit: 10) == .totalLimit)
        #expect(limiter.total == 15)
        limiter.release(flooder)
        #expect(limiter.acquire(flooder, limit: 1000, totalLimit: 10) == .totalLimit)  // still over its share
        #expect(limiter.acquire(other, limit: 3, totalLimit: 100) == .clientLimit)
    }
}
