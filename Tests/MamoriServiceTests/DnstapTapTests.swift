// Primary responsibilities: the dnstap section at work — a response observed becomes CLIENT_QUERY
// (dated at its arrival) and CLIENT_RESPONSE, an upstream exchange RESOLVER_QUERY and
// RESOLVER_RESPONSE, each kind switched by its key — read back by BIND's dnstap-read.

import DNSWire
import Dnstap
import Foundation
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Testing

/// `dnstap-read ARGUMENTS`'s standard output.
private func dnstapRead(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/dnstap-read")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite("dnstap tap", .serialized)
struct DnstapTapTests {
    /// A query and response for `name` A, in wire format.
    func exchange(_ name: String) throws -> (query: [UInt8], response: [UInt8]) {
        var header = Header(id: 0x4242)
        header.recursionDesired = true
        let question = Question(name: try DomainName(name), type: .a)
        let query = try Message(header: header, questions: [question]).serialized()
        header.isResponse = true
        let response = try Message(
            header: header, questions: [question],
            answer: [RRSet(name: question.name, type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 9))])]
        ).serialized()
        return (query, response)
    }

    /// The message kinds (CQ, CR, RQ, RR) `section`'s tap writes for one response and one
    /// upstream exchange, as dnstap-read prints them.
    func written(_ configure: (inout DnstapSection) -> Void) throws -> [String] {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/dnstap-read"), "bind9-dnsutils")
        let path = NSTemporaryDirectory() + "mamori-tap-\(UUID().uuidString.prefix(8))"
        defer { unlink(path) }
        var section = DnstapSection(destination: .file(path))
        section.identity = "tap-test"
        configure(&section)
        let tap = try DnstapTap(section, destination: .file(path))
        let client = ClientAddress(address: .loopbackV4, port: 5353, transport: .tcp)
        let (query, response) = try exchange("www.tap.test.")
        let server = ServerAddress(host: .loopbackV4, port: 5300)
        tap.upstreamQuerySent(query, to: server, over: .udp)
        tap.upstreamResponseReceived(response, to: query, from: server, over: .udp, elapsed: .milliseconds(2))
        if tap.observesEveryResponse {
            tap.observe(
                SentResponse(
                    client: client, source: .resolution, query: query, response: response,
                    latency: .milliseconds(40)))
        }
        tap.output.close()
        return try dnstapRead([path]).split(separator: "\n").map(String.init)
    }

    @Test("every kind on: RQ and RR to the server, then CQ dated 40 ms before CR, over TCP")
    func everyKind() throws {
        let lines = try written { _ in }
        #expect(lines.map { $0.split(separator: " ")[2] } == ["RQ", "RR", "CQ", "CR"], "\(lines)")
        #expect(lines[0].contains("-> 127.0.0.1:5300 UDP") && lines[1].contains("<- 127.0.0.1:5300 UDP"))
        #expect(lines[2].contains("CQ 127.0.0.1:5353 -> ? TCP") && lines[3].contains("CR 127.0.0.1:5353 <- ? TCP"))
        #expect(lines.allSatisfy { $0.hasSuffix("www.tap.test/IN/A") }, "\(lines)")
        let times = lines.map { String($0.split(separator: " ")[1]) }
        #expect(times[2] < times[3], "the client's query is dated at its arrival: \(lines)")
    }

    @Test("each key switches its kind off; with both client kinds off no response is wanted")
    func kindsSwitched() throws {
        #expect(try written { $0.clientQueries = false }.map { $0.split(separator: " ")[2] } == ["RQ", "RR", "CR"])
        #expect(try written { $0.resolverResponses = false }.map { $0.split(separator: " ")[2] } == ["RQ", "CQ", "CR"])
        #expect(
            try written {
                $0.clientQueries = false
                $0.clientResponses = false
                $0.resolverQueries = false
            }.map { $0.split(separator: " ")[2] } == ["RR"])
    }
}
