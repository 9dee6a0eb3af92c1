// Primary responsibilities: the open-file limit shared between TCP clients and upstream queries.

import MamoriConfiguration
import MamoriService
import Testing

@Suite("Descriptor plan")
struct DescriptorPlanTests {
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
