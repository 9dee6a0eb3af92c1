// Primary responsibilities: blocklists in the service — a listed name is answered before the cache
// (NXDOMAIN or NODATA with a SOA, null addresses, RPZ local data; EDE 15 naming the list; AA and
// AD clear) with no upstream query, a passthru name goes upstream, the first list that has the
// name decides, and a reload keeps an unchanged list and swaps a changed one.

import Blocklists
import DNSSEC
import DNSWire
import Foundation
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import ResolverTestKit
import Testing

@Suite("Blocklists in the service")
struct BlocklistStageTests {
    /// Writes `text` to `name` in a fresh folder.
    static func file(_ name: String, _ text: String) throws -> String {
        let path = try temporaryDirectory() + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The response `service` gives to `name`/`type` before any resolution, nil on a cache miss.
    static func local(_ service: ResolverService, _ name: DomainName, _ type: RRType = .a) -> Message? {
        var header = Header(id: 9)
        header.recursionDesired = true
        let query = Message(header: header, questions: [Question(name: name, type: type)], edns: EDNS())
        return service.answerFromCache(query, client: QueryStagesTests.client).response
    }

    /// The SOA a blocked answer carries at `owner` with `ttl`.
    static func soa(_ owner: DomainName, ttl: UInt32 = 300) -> RRSet {
        RRSet(
            name: owner, type: .soa, ttl: ttl,
            rdatas: [
                .soa(
                    SOA(
                        mname: owner, rname: "nobody.invalid.", serial: 1, refresh: 3600, retry: 1200, expire: 604_800,
                        minimum: ttl))
            ])
    }

    @Test("a listed name: NXDOMAIN, SOA at the listed name, EDE 15 naming the list, no upstream query")
    func blockedName() async throws {
        let (service, network) = try QueryStagesTests.makeService()
        let allow = try Self.file("allow.txt", "printer.example\n")
        let ads = try Self.file("ads.txt", "# ads\nexample\n")
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        let lists = try book.load([
            BlocklistConfiguration(name: "allow", file: allow, format: .domains, action: .passthru),
            BlocklistConfiguration(name: "ads", file: ads, format: .domains),
        ])
        book.installed(lists)
        service.install(QueryStages(localAnswers: [try #require(book.stage)]))

        let sent = network.queries.count
        let blocked = try #require(Self.local(service, "WWW.example."))
        #expect(blocked.rcode == .nxDomain)
        #expect(!blocked.header.authoritativeAnswer && !blocked.header.authenticData)
        #expect(blocked.answer.isEmpty)
        #expect(blocked.authority == [Self.soa("example.")])
        #expect(blocked.additional.isEmpty)
        #expect(blocked.edns?.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list ads")])
        #expect(network.queries.count == sent)

        // The allowlist comes first: the name is resolved upstream as usual.
        #expect(Self.local(service, "printer.example.") == nil)
        let resolved = await QueryStagesTests.ask(service, "printer.example.")
        #expect(resolved.rcode == .noError)
        #expect(resolved.answer.first?.rdatas == [.a(A(192, 0, 2, 7))])
        #expect(resolved.edns?.extendedErrors ?? [] == [])
        #expect(network.queries.dropFirst(sent).compactMap(\.question?.name) == [DomainName("printer.example.")])
        #expect(lists.map(\.hits.value) == [1, 1])
    }

    @Test("null-address and nodata actions; a non-IN class is never blocked")
    func otherActions() throws {
        let hosts = try Self.file("hosts", "0.0.0.0 tracker.example\n")
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        let stage = BlocklistStage(
            lists: try book.load([
                BlocklistConfiguration(name: "null", file: hosts, format: .hosts, action: .nullAddress, ttl: 60)
            ]))
        let client = QueryStagesTests.client
        let a = try #require(
            stage.answer(Question(name: "tracker.example.", type: .a), client: client, checkingDisabled: false))
        #expect(a.rcode == .noError && a.status == .insecure)
        #expect(a.answer == [RRSet(name: "tracker.example.", type: .a, ttl: 60, rdatas: [.a(A(0, 0, 0, 0))])])
        #expect(a.authority.isEmpty)
        #expect(a.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list null")])
        let aaaa = try #require(
            stage.answer(Question(name: "tracker.example.", type: .aaaa), client: client, checkingDisabled: false))
        #expect(
            aaaa.answer == [
                RRSet(name: "tracker.example.", type: .aaaa, ttl: 60, rdatas: [.aaaa(AAAA(high: 0, low: 0))])
            ])
        let mx = try #require(
            stage.answer(Question(name: "tracker.example.", type: .mx), client: client, checkingDisabled: false))
        #expect(mx.rcode == .noError && mx.answer.isEmpty && mx.authority == [Self.soa("tracker.example.", ttl: 60)])
        // Hosts entries are exact: the names below are not covered.
        #expect(
            stage.answer(Question(name: "x.tracker.example.", type: .a), client: client, checkingDisabled: false) == nil
        )
        #expect(
            stage.answer(
                Question(name: "tracker.example.", type: .a, rrClass: .ch), client: client, checkingDisabled: false)
                == nil)

        let nodata = BlocklistStage(
            lists: try book.load([BlocklistConfiguration(name: "quiet", file: hosts, format: .hosts, action: .nodata)]))
        let empty = try #require(
            nodata.answer(Question(name: "tracker.example.", type: .a), client: client, checkingDisabled: false))
        #expect(empty.rcode == .noError && empty.answer.isEmpty)
        #expect(empty.authority == [Self.soa("tracker.example.")])
        #expect(empty.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list quiet")])
    }

    @Test("RPZ: NXDOMAIN below a wildcard with the SOA at the listed parent, local data renamed, passthru")
    func responsePolicyZone() throws {
        let zone = try Self.file(
            "rpz.zone",
            """
            $ORIGIN rpz.local.
            @ 60 SOA ns hostmaster 1 3600 600 86400 60
            *.ads.example 60 CNAME .
            ok.ads.example 60 CNAME rpz-passthru.
            *.lan.example 60 A 192.0.2.53
            garden.example 60 CNAME walled.example.
            """)
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        let stage = BlocklistStage(
            lists: try book.load([BlocklistConfiguration(name: "rpz", file: zone, format: .rpz)]))
        let client = QueryStagesTests.client
        func ask(_ name: DomainName, _ type: RRType = .a) -> Resolution? {
            stage.answer(Question(name: name, type: type), client: client, checkingDisabled: false)
        }
        let nx = try #require(ask("a.b.ads.example."))
        #expect(nx.rcode == .nxDomain && nx.answer.isEmpty && nx.authority == [Self.soa("ads.example.")])
        #expect(nx.extendedErrors == [ExtendedDNSError(.blocked, "blocked by list rpz")])
        #expect(ask("ads.example.") == nil)
        #expect(ask("ok.ads.example.") == nil)
        let local = try #require(ask("host.lan.example."))
        #expect(local.rcode == .noError)
        #expect(local.answer == [RRSet(name: "host.lan.example.", type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 53))])])
        #expect(local.extendedErrors == [ExtendedDNSError(.blocked, "rewritten by list rpz")])
        let noAAAA = try #require(ask("host.lan.example.", .aaaa))
        #expect(noAAAA.rcode == .noError && noAAAA.answer.isEmpty && noAAAA.authority == [Self.soa("lan.example.")])
        let garden = try #require(ask("garden.example.", .aaaa))
        #expect(
            garden.answer == [
                RRSet(
                    name: "garden.example.", type: .cname, ttl: 60, rdatas: [.cname(CNAME(target: "walled.example."))])
            ])
    }

    @Test("RPZ local data: a CNAME out of the list has its target resolved after it, EDE 15 kept, no AD")
    func responsePolicyCNAMEFollowed() async throws {
        let (service, network) = try QueryStagesTests.makeService()
        let zone = try Self.file(
            "rpz.zone",
            """
            $ORIGIN rpz.local.
            @ 60 SOA ns hostmaster 1 3600 600 86400 60
            garden.example 60 CNAME www.example.
            """)
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        book.installed(try book.load([BlocklistConfiguration(name: "rpz", file: zone, format: .rpz)]))
        service.install(QueryStages(localAnswers: [try #require(book.stage)]))
        let client = QueryStagesTests.client
        let query = QueryStagesTests.query("garden.example.")
        let sent = network.queries.count
        guard case .miss(let miss) = service.answerFromCache(query, client: client) else {
            Issue.record("the target www.example. is not cached: the fast path must leave it to resolution")
            return
        }
        let answer = await withCheckedContinuation { continuation in
            service.resolve(query, client: client, after: miss) { continuation.resume(returning: $0) }
        }
        let chain = [
            RRSet(name: "garden.example.", type: .cname, ttl: 60, rdatas: [.cname(CNAME(target: "www.example."))]),
            RRSet(name: "www.example.", type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 7))]),
        ]
        #expect(answer.rcode == .noError && !answer.header.authenticData)
        #expect(answer.answer.map(\.name) == chain.map(\.name) && answer.answer.first == chain.first)
        #expect(answer.answer.last?.rdatas == chain.last?.rdatas)
        #expect(answer.edns?.extendedErrors == [ExtendedDNSError(.blocked, "rewritten by list rpz")])
        #expect(network.queries.dropFirst(sent).compactMap(\.question?.name) == [DomainName("www.example.")])
        // Now the target is cached: the fast path answers the whole chain, still with EDE 15.
        let cached = try #require(service.answerFromCache(query, client: client).response)
        #expect(cached.answer.map(\.name) == chain.map(\.name))
        #expect(cached.edns?.extendedErrors == [ExtendedDNSError(.blocked, "rewritten by list rpz")])
    }

    @Test("a reload keeps an unchanged list (same list, hits kept), overlays a little change, reads a large one")
    func reloadReuse() throws {
        let eight = (0..<8).map { "ads\($0).example\n" }.joined()
        let path = try Self.file("ads.txt", eight)
        let book = BlocklistBook(metrics: nil, logger: LogCapture().logger)
        let configuration = [BlocklistConfiguration(name: "ads", file: path, format: .domains)]
        let first = try book.load(configuration)
        book.installed(first)
        let again = try book.load(configuration)
        #expect(again[0].list.count == 8 && !again[0].list.isOverlay)
        #expect(again[0].hits === first[0].hits)
        try (eight + "more.example\n").write(toFile: path, atomically: true, encoding: .utf8)
        let changed = try book.load(configuration)
        #expect(changed[0].list.count == 9 && changed[0].list.isOverlay)
        #expect(changed[0].list.match("more.example.") != nil && first[0].list.match("more.example.") == nil)
        try "other.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        let rewritten = try book.load(configuration)
        #expect(rewritten[0].list.count == 1 && !rewritten[0].list.isOverlay)
        try "ads.example\nbad line\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: BlocklistError(
                file: path, line: 2, "expected one name a line (a hosts file? give it format: hosts)")
        ) {
            try book.load(configuration)
        }
    }
}
