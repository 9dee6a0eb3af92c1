// Primary responsibilities: local data in the service — a hosts-file or local-data name beats what
// the cache holds (a new answer generation, no upstream query, AA and AD clear), the stages' order
// (local data, blocklists, served zones, discovery) and the replacement of one part keeping the
// others, the loader's errors naming the file, and the file watch that sees a hosts file change.

import Blocklists
import DNSWire
import Dispatch
import Foundation
import LocalZones
import MamoriConfiguration
import MamoriService
import ResolverServer
import ResolverTestKit
import Synchronization
import Testing

@Suite("Local data in the service")
struct LocalStagesTests {
    /// A configuration whose `local` section has `hosts` (a file written now) and `data` lines.
    static func configuration(hosts: String? = nil, data: [String] = []) throws -> Configuration {
        var configuration = testConfiguration(directory: "/nonexistent")
        if let hosts { configuration.local.hostsFiles = [try BlocklistStageTests.file("hosts", hosts)] }
        configuration.local.data = try data.flatMap {
            try ZoneFileParser(text: $0, defaultTTL: 3600).records().map { LocalRecord($0, source: "test", line: 1) }
        }
        return configuration
    }

    @Test("a hosts-file name beats the cache: a new answer generation, no upstream query, AA and AD clear")
    func beatsCache() async throws {
        let (service, network) = try QueryStagesTests.makeService()
        _ = await QueryStagesTests.ask(service, "printer.example.")
        let cached = try #require(BlocklistStageTests.local(service, "printer.example."))
        #expect(cached.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        let before = service.answerGeneration
        let configuration = try Self.configuration(hosts: "192.168.1.10 printer.example\n")
        let stages = InstalledStages(
            StageParts(configuration: configuration, local: try LocalTableLoader.load(configuration)), in: service)
        #expect(service.answerGeneration > before)
        let sent = network.queries.count
        let local = try #require(BlocklistStageTests.local(service, "printer.example."))
        #expect(local.rcode == .noError)
        #expect(!local.header.authoritativeAnswer && !local.header.authenticData)
        #expect(local.answer == [RRSet(name: "printer.example.", type: .a, ttl: 60, rdatas: [.a(A(192, 168, 1, 10))])])
        #expect(local.authority.isEmpty && local.additional.isEmpty)
        #expect(local.edns?.extendedErrors ?? [] == [])
        // The PTR made from the line.
        let pointer = try #require(BlocklistStageTests.local(service, "10.1.168.192.in-addr.arpa.", .ptr))
        #expect(pointer.answer.first?.rdatas == [.ptr(PTR(target: "printer.example."))])
        #expect(network.queries.count == sent)
        // Other names still come from the cache.
        #expect(BlocklistStageTests.local(service, "www.example.") == nil)
        #expect(stages.current.local != nil)
    }

    @Test("the order: local data, then blocklists, then served zones, then discovery; one part replaced keeps the rest")
    func order() throws {
        let (service, _) = try QueryStagesTests.makeService()
        let configuration = try Self.configuration(data: ["printer.home.arpa. 300 IN A 192.168.1.10"])
        let ads = try BlocklistStageTests.file("ads.txt", "home.arpa\n")
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        book.installed(try book.load([BlocklistConfiguration(name: "ads", file: ads, format: .domains)]))
        let stages = InstalledStages(
            StageParts(
                configuration: configuration, local: try LocalTableLoader.load(configuration), blocklists: book.stage,
                discovery: DesignatedResolverStage(target: nil, endpoints: [])),
            in: service)
        // Local data beats the blocklist that lists its parent.
        let printer = try #require(BlocklistStageTests.local(service, "printer.home.arpa."))
        #expect(printer.answer.first?.rdatas == [.a(A(192, 168, 1, 10))])
        // The blocklist beats the served zone.
        let blocked = try #require(BlocklistStageTests.local(service, "tracker.home.arpa."))
        #expect(blocked.rcode == .nxDomain)
        #expect(blocked.edns?.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list ads")])
        // The served zone answers what nothing before it did.
        let reverse = try #require(BlocklistStageTests.local(service, "1.0.168.192.in-addr.arpa.", .ptr))
        #expect(reverse.rcode == .nxDomain)
        #expect(reverse.authority.map(\.type) == [.soa, .ns])
        #expect(reverse.authority.map(\.name) == ["168.192.in-addr.arpa.", "168.192.in-addr.arpa."])
        #expect(!reverse.header.authoritativeAnswer && !reverse.header.authenticData)
        // Discovery is still there.
        let discovery = try #require(BlocklistStageTests.local(service, "_dns.resolver.arpa.", .svcb))
        #expect(discovery.rcode == .noError && discovery.answer.isEmpty)

        // Without the blocklists the served zone answers the name, and the local data stays.
        let before = service.answerGeneration
        stages.update { $0.blocklists = nil }
        #expect(service.answerGeneration > before)
        let served = try #require(BlocklistStageTests.local(service, "tracker.home.arpa."))
        #expect(served.rcode == .nxDomain && served.edns?.extendedErrors ?? [] == [])
        #expect(served.authority.first?.name == "home.arpa.")
        #expect(BlocklistStageTests.local(service, "printer.home.arpa.")?.answer.isEmpty == false)
        // Served zones off: the private name goes to resolution.
        var off = configuration
        off.local.servedZones = false
        let table = try LocalTableLoader.load(off)
        stages.update { $0.local = table }
        #expect(BlocklistStageTests.local(service, "1.0.168.192.in-addr.arpa.", .ptr) == nil)
    }

    @Test("the loader names a hosts file it cannot read, and the file and line of a bad one")
    func loaderErrors() throws {
        var configuration = testConfiguration(directory: "/nonexistent")
        configuration.local.hostsFiles = ["/nonexistent/hosts"]
        #expect(
            throws: LocalZonesError(source: "/nonexistent/hosts", line: 0, "cannot read: No such file or directory")
        ) {
            try LocalTableLoader.load(configuration)
        }
        let bad = try Self.configuration(hosts: "127.0.0.1 localhost\nnot-an-address host\n")
        #expect(
            throws: LocalZonesError(
                source: bad.local.hostsFiles[0], line: 2, "expected an IPv4 or IPv6 address, got \"not-an-address\"")
        ) {
            try LocalTableLoader.load(bad)
        }
    }

    @Test("the file watch reports a file rewritten, replaced or removed, on its queue")
    func fileWatch() throws {
        let path = try BlocklistStageTests.file("hosts", "192.168.1.1 a\n")
        let queue = DispatchQueue(label: "test.watch")
        let seen = Mutex<[[String]]>([])
        let signal = DispatchSemaphore(value: 0)
        let watch = FileWatch(queue: queue) { changed in
            dispatchPrecondition(condition: .onQueue(queue))
            seen.withLock { $0.append(changed) }
            signal.signal()
        }
        defer { watch.stop() }
        queue.sync { watch.watch([path: FileIdentity(path: path)]) }
        /// Waits for the next report (generously: the watch checks every second) and re-arms.
        func nextReport() -> [String]? {
            guard signal.wait(timeout: .now() + 20) == .success else { return nil }
            queue.sync { watch.watch([path: FileIdentity(path: path)]) }
            return seen.withLock { $0.last }
        }
        try "192.168.1.1 a\n192.168.1.2 bb\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(nextReport() == [path])
        try "192.168.1.3 c\n".write(toFile: path, atomically: true, encoding: .utf8)  // a new inode
        #expect(nextReport() == [path])
        try FileManager.default.removeItem(atPath: path)
        #expect(nextReport() == [path])
    }
}
