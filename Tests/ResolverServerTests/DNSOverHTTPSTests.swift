// Primary responsibilities: RFC 8484's mapping, request by request — what is a DNS query and which
// HTTP error each bad request gets — and the freshness lifetime a response may be cached for.

import DNSWire
import Foundation
import MamoriHTTP2
import Testing

@testable import ResolverServer

@Suite struct DNSOverHTTPSTests {
    /// A query for `www.example.` A, ID 0 (RFC 8484 §4.1), as bytes.
    static let query = queryBytes("www.example", id: 0)

    static func request(
        _ method: String, _ path: String, type: String? = nil, body: [UInt8] = [], tooLarge: Bool = false
    ) -> HTTPRequest {
        HTTPRequest(stream: 1, method: method, path: path, contentType: type, body: body, bodyTooLarge: tooLarge)
    }

    /// base64url without padding (RFC 4648 §5), written here so the test does not share the decoder.
    static func base64url(_ bytes: [UInt8]) -> String {
        BaseEncoding.base64(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("GET with dns=, and POST of application/dns-message, carry the query")
    func queries() {
        let encoded = Self.base64url(Self.query)
        #expect(
            DNSOverHTTPS.decide(Self.request("GET", "/dns-query?dns=\(encoded)"), path: "/dns-query")
                == .query(Self.query))
        #expect(
            DNSOverHTTPS.decide(Self.request("GET", "/dns-query?ct=x&dns=\(encoded)&x=1"), path: "/dns-query")
                == .query(Self.query))
        let post = Self.request("POST", "/dns-query", type: "application/dns-message; charset=x", body: Self.query)
        #expect(DNSOverHTTPS.decide(post, path: "/dns-query") == .query(Self.query))
        #expect(
            DNSOverHTTPS.decide(Self.request("GET", "/resolve?dns=\(encoded)"), path: "/resolve") == .query(Self.query))
    }

    @Test("each bad request gets its own status: 404, 405, 415, 413, 400")
    func rejections() {
        func status(_ request: HTTPRequest) -> Int? {
            if case .reject(let status, _) = DNSOverHTTPS.decide(request, path: "/dns-query") { return status }
            return nil
        }
        let encoded = Self.base64url(Self.query)
        #expect(status(Self.request("GET", "/other?dns=\(encoded)")) == 404)
        #expect(status(Self.request("PUT", "/dns-query", type: "application/dns-message", body: Self.query)) == 405)
        #expect(status(Self.request("HEAD", "/dns-query?dns=\(encoded)")) == 405)
        #expect(status(Self.request("POST", "/dns-query", type: "text/plain", body: Self.query)) == 415)
        #expect(status(Self.request("POST", "/dns-query", body: Self.query)) == 415)
        #expect(status(Self.request("POST", "/dns-query", type: "application/dns-message", tooLarge: true)) == 413)
        #expect(status(Self.request("GET", "/dns-query")) == 400)
        #expect(status(Self.request("GET", "/dns-query?dns=a+b")) == 400)
        #expect(status(Self.request("GET", "/dns-query?dns=AAAB")) == 400)  // 3 octets: no DNS header
        #expect(status(Self.request("POST", "/dns-query", type: "application/dns-message", body: [0, 1])) == 400)
        let error = DNSOverHTTPS.error(status: 405, reason: "no")
        #expect(error.headers.contains { $0.name == "allow" && $0.value == "GET, POST" })
    }

    @Test("max-age: the smallest TTL of answer and authority, an SOA's MINIMUM included; 0 without records")
    func freshness() throws {
        let answer = Message(answer: [
            RRSet(name: "a.example.", type: .cname, ttl: 300, rdatas: [.cname(CNAME(target: "b.example."))]),
            RRSet(name: "b.example.", type: .a, ttl: 60, rdatas: [.a(A(192, 0, 2, 1))]),
        ])
        #expect(DNSOverHTTPS.freshness(of: try answer.serialized()) == 60)
        let soa = SOA(
            mname: "ns.example.", rname: "host.example.", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30)
        let negative = Message(authority: [RRSet(name: "example.", type: .soa, ttl: 900, rdatas: [.soa(soa)])])
        #expect(DNSOverHTTPS.freshness(of: try negative.serialized()) == 30)
        #expect(DNSOverHTTPS.freshness(of: try Message(rcode: .servFail).serialized()) == 0)
        #expect(DNSOverHTTPS.freshness(of: [1, 2, 3]) == 0)
        let response = DNSOverHTTPS.response(try answer.serialized())
        #expect(response.status == 200)
        #expect(response.headers.map(\.value) == ["application/dns-message", "max-age=60"])
    }
}
