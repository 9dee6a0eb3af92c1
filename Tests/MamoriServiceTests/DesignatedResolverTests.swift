// Primary responsibilities: discovery of designated resolvers (RFC 9462) — `_dns.resolver.arpa`
// SVCB lists exactly the DNS-over-TLS endpoints served under the certificate's name, the rest of
// resolver.arpa is NODATA locally, and a reloaded certificate changes the designation.

import DNSSEC
import DNSWire
import Foundation
import Logging
import MamoriConfiguration
import MamoriControl
import MamoriTLS
import Resolver
import ResolverServer
import SocketTestKit
import Testing

@testable import MamoriService

@Suite("Discovery of designated resolvers (RFC 9462)")
struct DesignatedResolverTests {
    static let client = ClientAddress(address: .loopbackV4, port: 1, transport: .udp)

    static func ask(_ stage: DesignatedResolverStage, _ name: DomainName, _ type: RRType) -> Resolution? {
        stage.answer(Question(name: name, type: type), client: client, checkingDisabled: false)
    }

    @Test("SVCB per TLS port with alpn, port only when not 853, hints without wildcards; the zone is NODATA")
    func records() throws {
        let endpoints = DesignatedResolverStage.Endpoint.dnsOverTLS([
            ServiceAddress("192.0.2.1@853")!, ServiceAddress("[2001:db8::1]@853")!, ServiceAddress("0.0.0.0@8853")!,
        ])
        let stage = DesignatedResolverStage(target: "dns.example.net.", endpoints: endpoints)
        let answer = try #require(Self.ask(stage, "_dns.resolver.arpa.", .svcb))
        #expect(answer.rcode == .noError && answer.status == .insecure && answer.authority.isEmpty)
        let rrset = try #require(answer.answer.first)
        #expect(rrset.name == "_dns.resolver.arpa." && rrset.type == .svcb && rrset.ttl == 300)
        let text = rrset.records.map(\.description)
        #expect(
            text == [
                "_dns.resolver.arpa. 300 IN SVCB 1 dns.example.net. alpn=\"dot\" ipv4hint=192.0.2.1 ipv6hint=2001:db8::1",
                "_dns.resolver.arpa. 300 IN SVCB 2 dns.example.net. alpn=\"dot\" port=8853",
            ])
        for (name, type) in [
            ("_dns.resolver.arpa.", RRType.a), ("resolver.arpa.", .svcb), ("x._dns.resolver.arpa.", .svcb),
            ("other.resolver.arpa.", .aaaa),
        ] {
            let negative = try #require(Self.ask(stage, try DomainName(name), type))
            #expect(negative.rcode == .noError && negative.answer.isEmpty, "\(name) \(type)")
            #expect(negative.authority.map(\.type) == [.soa])
        }
        #expect(Self.ask(stage, "resolver.arpa.", .soa)?.answer.map(\.type) == [.soa])
        #expect(Self.ask(stage, "arpa.", .soa) == nil)
        #expect(Self.ask(stage, "example.net.", .a) == nil)
    }

    @Test("without an encrypted listener, _dns.resolver.arpa SVCB is NODATA, never sent upstream")
    func nothingToDesignate() throws {
        let stage = DesignatedResolverStage(target: nil, endpoints: [])
        let answer = try #require(Self.ask(stage, "_dns.resolver.arpa.", .svcb))
        #expect(answer.rcode == .noError && answer.answer.isEmpty && answer.authority.map(\.type) == [.soa])
    }

    @Test(
        "the daemon designates its DoT listener under the certificate's name; a reload reads the pair again, a bad one changes nothing"
    )
    func daemonDesignatesAndReloads() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try TestCertificates()
        defer { files.remove() }
        let tls = """
            listen-tls: ["127.10.54.9@15853"]
            tls: { certificate: \(files.certificateFile), key: \(files.keyFile) }

            """
        let file = try ResolverDaemonTests.write(directory, host: 9, tls)
        let capture = LogCapture()
        let daemon = try ResolverDaemonTests.daemon(file, logger: capture.logger)
        try daemon.start()
        defer { daemon.stop(signal: SIGTERM) }
        let server = try #require(daemon.server)
        #expect(server.tlsAddresses == [ServiceAddress("127.10.54.9@15853")!])
        #expect(daemon.perform(.status).lines.contains { $0.hasSuffix("TLS 127.10.54.9@15853") })

        func designation() throws -> [String] {
            var header = Header(id: 9)
            header.recursionDesired = true
            let query = Message(
                header: header, questions: [Question(name: "_dns.resolver.arpa.", type: .svcb)], edns: EDNS())
            let response = try #require(daemon.service?.answerFromCache(query, client: Self.client).response)
            #expect(response.rcode == .noError && !response.header.authenticData)
            return response.answer.flatMap(\.records).map(\.description)
        }
        #expect(
            try designation() == [
                "_dns.resolver.arpa. 300 IN SVCB 1 dns.test. alpn=\"dot\" port=15853 ipv4hint=127.10.54.9"
            ])

        // The same files again (a renewal): a new context, the same designation.
        let before = try #require(server.tlsContext)
        #expect(daemon.reload() == nil)
        #expect(server.tlsContext !== before)
        #expect(try designation().count == 1)

        // A key that does not belong to the certificate: the reload is rejected, the designation stays.
        try ResolverDaemonTests.write(
            directory, host: 9, tls.replacingOccurrences(of: files.keyFile, with: files.otherKeyFile))
        #expect(daemon.reload()?.contains(files.otherKeyFile) == true)
        #expect(try designation().count == 1)
        #expect(server.tlsContext?.certificateNames == ["dns.test"])
    }
}
