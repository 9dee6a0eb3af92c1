// Primary responsibilities: RFC 8484's mapping between HTTP and DNS, without sockets — a request's
// method, path, media type and body (or `dns` parameter) to a DNS query or to the HTTP error that
// says what is wrong with it, and a DNS response to a 200 whose freshness the answer's TTLs bound.

import DNSWire
import MamoriHTTP2

/// DNS over HTTPS (RFC 8484) as pure functions.
enum DNSOverHTTPS {
    /// The media type of a DNS message (RFC 8484 §6).
    static let mediaType = "application/dns-message"
    /// The shortest DNS message: a header (RFC 1035 §4.1.1).
    static let headerLength = 12

    /// What to do with a request.
    enum Decision: Equatable {
        /// Answer this DNS query.
        case query([UInt8])
        /// Answer with this HTTP error.
        case reject(status: Int, reason: String)
    }

    /// The DNS query a request carries, or why it is refused: 404 for another path, 405 for a
    /// method other than GET and POST (RFC 8484 §4.1), 415 for a POST of another media type, 413
    /// for a body over 65535 octets, 400 for a missing or undecodable `dns` parameter or a message
    /// shorter than a DNS header.
    static func decide(_ request: HTTPRequest, path: String) -> Decision {
        // Bytes, not Characters: this runs for every DoH query, and String indexing was its hot spot.
        let target = Array(request.path.utf8)
        let mark = target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex
        guard target[..<mark].elementsEqual(path.utf8) else {
            return .reject(status: 404, reason: "no DNS service at \(String(decoding: target[..<mark], as: UTF8.self))")
        }
        let message: [UInt8]
        switch request.method {
        case "GET":
            guard let encoded = parameter(Self.dnsParameter, in: target[min(mark + 1, target.endIndex)...]) else {
                return .reject(status: 400, reason: "GET needs a dns parameter (RFC 8484 §4.1)")
            }
            guard let decoded = BaseEncoding.decodeBase64URL(Array(encoded)) else {
                return .reject(status: 400, reason: "the dns parameter is not base64url")
            }
            message = decoded
        case "POST":
            let type = request.contentType?.split(separator: ";").first?.trimmingSpaces.lowercased()
            guard type == mediaType else {
                return .reject(status: 415, reason: "POST needs content-type \(mediaType)")
            }
            guard !request.bodyTooLarge else {
                return .reject(status: 413, reason: "a DNS message is at most 65535 octets")
            }
            message = request.body
        default:
            return .reject(status: 405, reason: "only GET and POST carry DNS queries")
        }
        guard message.count >= headerLength else {
            return .reject(status: 400, reason: "not a DNS message: \(message.count) octets")
        }
        return .query(message)
    }

    /// The HTTP response carrying DNS response `message`: 200, the media type, and a freshness
    /// lifetime no longer than its records may be cached (RFC 8484 §5.1).
    static func response(_ message: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [("content-type", mediaType), ("cache-control", "max-age=\(freshness(of: message))")],
            body: message)
    }

    /// The HTTP error response for a rejected request: a short text body for whoever reads it.
    static func error(status: Int, reason: String) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("content-type", "text/plain; charset=utf-8")]
        if status == 405 { headers.append(("allow", "GET, POST")) }
        return HTTPResponse(status: status, headers: headers, body: Array((reason + "\n").utf8))
    }

    /// The smallest TTL of the answer and authority records, an SOA counting its MINIMUM as well
    /// (RFC 8484 §5.1, RFC 2308 §5: a negative answer may be cached no longer than that); 0 when
    /// there is no record (an error must not be cached) or the message cannot be read.
    static func freshness(of message: [UInt8]) -> UInt32 {
        var reader = WireReader(message)
        do {
            try reader.skip(4)
            let questions = Int(try reader.readUInt16())
            let records = Int(try reader.readUInt16()) + Int(try reader.readUInt16())
            try reader.skip(2)
            for _ in 0..<questions {
                try reader.skipName()
                try reader.skip(4)
            }
            var smallest: UInt32? = nil
            for _ in 0..<records {
                try reader.skipName()
                let type = try reader.readUInt16()
                try reader.skip(2)
                var ttl = try reader.readUInt32()
                let length = Int(try reader.readUInt16())
                if type == RRType.soa.rawValue && length >= 4 {
                    try reader.skip(length - 4)
                    ttl = min(ttl, try reader.readUInt32())
                } else {
                    try reader.skip(length)
                }
                smallest = min(smallest ?? ttl, ttl)
            }
            return smallest ?? 0
        } catch {
            return 0
        }
    }

    /// The name of the parameter that carries the query (RFC 8484 §4.1).
    private static let dnsParameter = Array("dns".utf8)

    /// The value of parameter `name` in a query string (`a=1&dns=…`), as bytes.
    private static func parameter(_ name: [UInt8], in query: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        for pair in query.split(separator: UInt8(ascii: "&")) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            if pair[..<equals].elementsEqual(name) { return pair[(equals + 1)...] }
        }
        return nil
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
