// Primary responsibilities: the bounds that keep one client from taking the daemon — waiting
// queries with fair shares, and the open-file limit shared between TCP clients and upstream queries.

import DNSWire
import MamoriConfiguration
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

    @Test("the open-file limit is shared: both caps scaled down together when they do not fit")
    func descriptorPlan() {
        var configuration = Configuration()
        let roomy = DescriptorPlan(openFileLimit: 524_288, listeners: 8, configuration: configuration)
        #expect(roomy.outstandingQueries == DescriptorPlan.defaultOutstandingQueries)
        #expect(roomy.tcpConnections == 1024)
        #expect(roomy.reductions.isEmpty)
        let tight = DescriptorPlan(openFileLimit: 1024, listeners: 8, configuration: configuration)
        #expect(tight.outstandingQueries + tight.tcpConnections <= 1024 - 8 - DescriptorPlan.reserved)
        #expect(tight.tcpConnections < 1024 && tight.outstandingQueries < DescriptorPlan.defaultOutstandingQueries)
        #expect(tight.reductions.count == 2)
        configuration.resolution.maxOutstandingQueries = 100
        configuration.server.tcpMaxConnections = 100
        let fits = DescriptorPlan(openFileLimit: 1024, listeners: 8, configuration: configuration)
        #expect(fits.outstandingQueries == 100 && fits.tcpConnections == 100 && fits.reductions.isEmpty)
        #expect(fits.applied(to: configuration).resolution.maxOutstandingQueries == 100)
    }
}
