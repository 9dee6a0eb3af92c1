// Primary responsibilities: the HTTP/2 server session driven with hand-built client frames (RFC
// 9113 §4, HPACK literals of RFC 7541 §6.2) — requests handed out whole, responses framed on their
// stream, bodies and headers bounded, a broken preface refused.

import MamoriHTTP2
import Testing

/// Client-side frames, built by hand so the test does not share the code under test.
enum Frames {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// A frame: 24-bit length, type, flags, stream (RFC 9113 §4.1).
    static func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + [UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
            + payload
    }

    /// An empty SETTINGS frame.
    static let settings = frame(type: 4, flags: 0, stream: 0, [])

    /// A header field as a literal without indexing, new name (RFC 7541 §6.2.2), lengths < 127.
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
    }

    /// A HEADERS frame with END_HEADERS, and END_STREAM when `ends`.
    static func headers(stream: UInt32, _ fields: [(String, String)], ends: Bool) -> [UInt8] {
        frame(type: 1, flags: 0x04 | (ends ? 0x01 : 0), stream: stream, fields.flatMap { literal($0.0, $0.1) })
    }

    /// A DATA frame, END_STREAM when `ends`.
    static func data(stream: UInt32, _ bytes: [UInt8], ends: Bool) -> [UInt8] {
        frame(type: 0, flags: ends ? 0x01 : 0, stream: stream, bytes)
    }

    /// The frames in `bytes` as (type, flags, stream, payload).
    static func parse(_ bytes: [UInt8]) -> [(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8])] {
        var frames: [(UInt8, UInt8, UInt32, [UInt8])] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let stream =
                UInt32(bytes[offset + 5] & 0x7F) << 24 | UInt32(bytes[offset + 6]) << 16
                | UInt32(bytes[offset + 7]) << 8 | UInt32(bytes[offset + 8])
            guard offset + 9 + length <= bytes.count else { break }
            frames.append(
                (bytes[offset + 3], bytes[offset + 4], stream, Array(bytes[(offset + 9)..<(offset + 9 + length)])))
            offset += 9 + length
        }
        return frames
    }
}

@Suite struct HTTP2ServerSessionTests {
    static let get: [(String, String)] = [
        (":method", "GET"), (":scheme", "https"), (":authority", "dns.test"), (":path", "/dns-query?dns=AAAB"),
    ]

    /// A session collecting its requests.
    final class Collector {
        var requests: [HTTPRequest] = []
    }

    func session(_ collector: Collector, maxBody: Int = 100, maxHeaders: Int = 1024) throws -> HTTP2ServerSession {
        try #require(
            HTTP2ServerSession(limits: .init(concurrentStreams: 8, maxBodySize: maxBody, maxHeaderBytes: maxHeaders)) {
                collector.requests.append($0)
            })
    }

    func feed(_ session: HTTP2ServerSession, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { session.receive($0) }
    }

    @Test func getAndPostAreHandedOutWholeAndAnswered() throws {
        let collector = Collector()
        let session = try session(collector)
        let post: [(String, String)] = [
            (":method", "POST"), (":scheme", "https"), (":authority", "dns.test"), (":path", "/dns-query"),
            ("content-type", "application/dns-message"),
        ]
        let input =
            Frames.preface + Frames.settings + Frames.headers(stream: 1, Self.get, ends: true)
            + Frames.headers(stream: 3, post, ends: false) + Frames.data(stream: 3, [1, 2, 3], ends: false)
            + Frames.data(stream: 3, [4, 5], ends: true)
        #expect(feed(session, input))
        #expect(collector.requests.count == 2)
        let first = collector.requests[0]
        #expect(first.stream == 1 && first.method == "GET" && first.path == "/dns-query?dns=AAAB" && first.body.isEmpty)
        let second = collector.requests[1]
        #expect(second.stream == 3 && second.method == "POST" && second.contentType == "application/dns-message")
        #expect(second.body == [1, 2, 3, 4, 5] && !second.bodyTooLarge)

        // Answered out of order: stream 3 first.
        session.respond(
            HTTPResponse(status: 200, headers: [("content-type", "application/dns-message")], body: [9, 9]), on: 3)
        session.respond(HTTPResponse(status: 400, body: Array("bad".utf8)), on: 1)
        var output: [UInt8] = []
        session.drainOutput(into: &output)
        let frames = Frames.parse(output)
        #expect(frames.first?.type == 4)  // the server's SETTINGS
        // Per stream: HEADERS, then the body in a DATA frame that ends the stream.
        let three = frames.filter { $0.stream == 3 }
        let one = frames.filter { $0.stream == 1 }
        #expect(three.map(\.type) == [1, 0] && one.map(\.type) == [1, 0])
        #expect(three[1].payload == [9, 9] && three[1].flags & 0x01 != 0)
        #expect(one[1].payload == Array("bad".utf8) && one[1].flags & 0x01 != 0)
        #expect(session.openStreams == 0)
    }

    @Test func bodiesAndHeadersAreBounded() throws {
        let collector = Collector()
        let session = try session(collector, maxBody: 4, maxHeaders: 150)
        let post: [(String, String)] = [
            (":method", "POST"), (":scheme", "https"), (":authority", "dns.test"), (":path", "/dns-query"),
        ]
        let big: [(String, String)] = Self.get + [("x-padding", String(repeating: "a", count: 120))]
        let input =
            Frames.preface + Frames.settings + Frames.headers(stream: 1, post, ends: false)
            + Frames.data(stream: 1, [1, 2, 3, 4, 5, 6], ends: true) + Frames.headers(stream: 3, big, ends: true)
        #expect(feed(session, input))
        #expect(collector.requests.count == 1)
        #expect(collector.requests.first?.bodyTooLarge == true && collector.requests.first?.body.isEmpty == true)
        var output: [UInt8] = []
        session.drainOutput(into: &output)
        // The request past the header budget is reset (RST_STREAM), never handed out.
        #expect(Frames.parse(output).contains { $0.type == 3 && $0.stream == 3 })
    }

    @Test func requestsAnsweredInsideTheCallbackAllGoOut() throws {
        var session: HTTP2ServerSession?
        session = HTTP2ServerSession(limits: .init(concurrentStreams: 32, maxBodySize: 100)) { request in
            session?.respond(HTTPResponse(status: 200, body: [UInt8(request.stream)]), on: request.stream)
        }
        let server = try #require(session)
        var input = Frames.preface + Frames.settings
        for stream in stride(from: UInt32(1), through: 39, by: 2) {
            input += Frames.headers(stream: stream, Self.get, ends: true)
        }
        #expect(feed(server, input))
        var output: [UInt8] = []
        server.drainOutput(into: &output)
        let data = Frames.parse(output).filter { $0.type == 0 }
        #expect(data.count == 20)
        #expect(data.map(\.payload) == stride(from: 1, through: 39, by: 2).map { [UInt8($0)] })
        session = nil
    }

    @Test func framesOutOfOrderEndTheConnectionWithGOAWAY() throws {
        let collector = Collector()
        let session = try session(collector)
        // DATA on a stream no HEADERS opened (RFC 9113 §5.1: idle stream), then a request that must not
        // be served on the broken connection.
        let input =
            Frames.preface + Frames.settings + Frames.data(stream: 1, [1, 2, 3], ends: true)
            + Frames.headers(stream: 3, Self.get, ends: true)
        _ = feed(session, input)
        var output: [UInt8] = []
        session.drainOutput(into: &output)
        #expect(Frames.parse(output).contains { $0.type == 7 })  // GOAWAY
        #expect(collector.requests.isEmpty)
        #expect(!session.isActive)
    }

    @Test func aBrokenPrefaceIsRefused() throws {
        let collector = Collector()
        let session = try session(collector)
        #expect(!feed(session, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        #expect(collector.requests.isEmpty)
    }
}
