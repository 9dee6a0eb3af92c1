// Primary responsibilities: the DNS-over-HTTPS listener with a client no one here wrote (curl over
// HTTP/2) — GET and POST answered with the DNS response, its media type and max-age; bad requests
// get their status on a connection that goes on serving; HTTP/1.1 is refused at the handshake.

import DNSWire
import Foundation
import MamoriConfiguration
import MamoriService
import MamoriTLS
import ResolverServer
import SocketTestKit
import Testing

/// What curl got: the exit status, the status line and headers, the body.
private struct Fetched {
    var exitStatus: Int32
    var headers: String
    var body: [UInt8]
}

@Suite struct HTTPSListenerTests {
    let files: TestCertificates

    init() throws { files = try TestCertificates() }

    func context() throws -> TLSServerContext {
        try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["h2"])
    }

    /// Runs curl against `address` as `dns.test` (the certificate's name), trusting the test CA.
    private func curl(_ address: ServiceAddress, _ arguments: [String]) throws -> [Fetched] {
        let output = files.folder + "/curl-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments =
            [
                "-s", "--max-time", "10", "--cacert", files.caFile, "--resolve",
                "\(TestCertificates.serverName):\(address.port):127.0.0.1", "-D", output + ".headers", "-o",
                output + ".body",
            ] + arguments
        try process.run()
        process.waitUntilExit()
        let headers = (try? String(contentsOfFile: output + ".headers", encoding: .utf8)) ?? ""
        let body = (try? Data(contentsOf: URL(fileURLWithPath: output + ".body"))).map { Array($0) } ?? []
        // Several URLs on one connection write their headers one after another into the one file.
        let blocks = headers.components(separatedBy: "HTTP/").dropFirst().map { "HTTP/" + $0 }
        return blocks.isEmpty
            ? [Fetched(exitStatus: process.terminationStatus, headers: "", body: body)]
            : blocks.map { Fetched(exitStatus: process.terminationStatus, headers: $0, body: body) }
    }

    func url(_ address: ServiceAddress, _ rest: String) -> String {
        "https://\(TestCertificates.serverName):\(address.port)\(rest)"
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        BaseEncoding.base64(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("DoH GET and POST over HTTP/2 (curl): 200, application/dns-message, max-age, the DNS answer")
    func getAndPost() throws {
        defer { files.remove() }
        let metrics = ServerMetrics()
        let running = try RunningServer(https: try context(), metrics: metrics)
        defer { running.stop() }
        let address = try #require(running.httpsAddress)
        let query = queryBytes("cached.test", id: 0)
        let get = try #require(try curl(address, [url(address, "/dns-query?dns=\(Self.base64url(query))")]).first)
        #expect(get.exitStatus == 0)
        #expect(get.headers.hasPrefix("HTTP/2 200"))
        #expect(get.headers.contains("content-type: application/dns-message"))
        #expect(get.headers.contains("cache-control: max-age=300"))
        let answer = try Message(parsing: get.body)
        #expect(answer.header.id == 0 && answer.answer.first?.rdatas == [.a(A(192, 0, 2, 1))])

        let file = files.folder + "/query.bin"
        try Data(queryBytes("other.test", id: 7)).write(to: URL(fileURLWithPath: file))
        let post = try #require(
            try curl(
                address,
                [
                    "-X", "POST", "-H", "content-type: application/dns-message", "--data-binary", "@" + file,
                    url(address, "/dns-query"),
                ]
            ).first)
        #expect(post.headers.hasPrefix("HTTP/2 200"))
        let resolved = try Message(parsing: post.body)
        #expect(resolved.header.id == 7 && resolved.answer.first?.rdatas == [.a(A(192, 0, 2, 2))])
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mamori_queries_total{transport="https"} 2"#))
    }

    @Test("bad requests get 404, 415, 400 on one connection that goes on serving; HTTP/1.1 is refused")
    func badRequestsAndHTTP1() throws {
        defer { files.remove() }
        let running = try RunningServer(https: try context())
        defer { running.stop() }
        let address = try #require(running.httpsAddress)
        let good = url(address, "/dns-query?dns=\(Self.base64url(queryBytes("cached.test", id: 0)))")
        let fetched = try curl(
            address, [url(address, "/nowhere"), url(address, "/dns-query?dns=%%%"), url(address, "/dns-query"), good])
        #expect(
            fetched.map { $0.headers.split(separator: " ").dropFirst().first.map(String.init) ?? "" } == [
                "404", "400", "400", "200",
            ])
        let unsupported = try #require(
            try curl(
                address, ["-X", "POST", "-H", "content-type: text/plain", "--data", "x", url(address, "/dns-query")]
            )
            .first)
        #expect(unsupported.headers.hasPrefix("HTTP/2 415"))
        // ALPN offers only h2: a client that speaks only HTTP/1.1 gets no connection (curl exit 35/56).
        let old = try #require(try curl(address, ["--http1.1", good]).first)
        #expect(old.exitStatus != 0 && old.headers.isEmpty)
    }
}
