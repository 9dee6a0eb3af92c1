// Primary responsibilities: the Frame Streams that DnstapOutput writes, read by hand as the
// protocol describes them (fstrm's "Frame Streams protocol": escape, control frames START, STOP,
// READY, ACCEPT, FINISH with a CONTENT_TYPE field, length-prefixed data frames) — to a file, and
// to a unix-socket collector with the bidirectional handshake, one that appears only after the
// output started included; and a file read back by BIND's `dnstap-read`, a reader no one here wrote.

import DNSWire
import Dnstap
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Control frame types and the one field type (Frame Streams protocol).
private enum Control: UInt32 {
    case accept = 1
    case start = 2
    case stop = 3
    case ready = 4
    case finish = 5
}

/// One frame read from a stream.
private enum Frame: Equatable {
    case data([UInt8])
    case control(UInt32, contentTypes: [String])
}

/// A big-endian 32-bit integer at `offset`.
private func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
}

/// Big-endian octets of `value`.
private func octets(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

/// A control frame with `contentType` (escape, length, type, CONTENT_TYPE field).
private func controlFrame(_ type: Control, contentType: String?) -> [UInt8] {
    let field = contentType.map { octets(1) + octets(UInt32($0.utf8.count)) + Array($0.utf8) } ?? []
    return octets(0) + octets(UInt32(4 + field.count)) + octets(type.rawValue) + field
}

/// Parses the control frame body `body` (type, then fields).
private func parseControl(_ body: [UInt8]) -> Frame {
    var types: [String] = []
    var offset = 4
    while offset + 8 <= body.count {
        let length = Int(uint32(body, offset + 4))
        if uint32(body, offset) == 1, offset + 8 + length <= body.count {
            types.append(String(decoding: body[offset + 8..<offset + 8 + length], as: UTF8.self))
        }
        offset += 8 + length
    }
    return .control(uint32(body, 0), contentTypes: types)
}

/// Every frame of a whole stream (a file).
private func frames(_ bytes: [UInt8]) -> [Frame] {
    var result: [Frame] = []
    var offset = 0
    while offset + 4 <= bytes.count {
        let length = Int(uint32(bytes, offset))
        offset += 4
        if length == 0 {
            let controlLength = Int(uint32(bytes, offset))
            result.append(parseControl(Array(bytes[offset + 4..<offset + 4 + controlLength])))
            offset += 4 + controlLength
        } else {
            result.append(.data(Array(bytes[offset..<offset + length])))
            offset += length
        }
    }
    return result
}

/// A fresh path in the temporary directory.
private func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "mamori-dnstap-\(name)-\(UUID().uuidString.prefix(8))"
}

/// Four messages, one of each kind, for a resolution of `www.example.` (query and response bytes
/// are a real query and response, so `dnstap-read` can print them).
private func sampleMessages() throws -> [DnstapMessage] {
    var header = Header(id: 0x1234)
    header.recursionDesired = true
    let question = Question(name: try DomainName("www.example."), type: .a)
    let query = try Message(header: header, questions: [question]).serialized()
    var responseHeader = header
    responseHeader.isResponse = true
    let response = try Message(
        header: responseHeader, questions: [question],
        answer: [RRSet(name: question.name, type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 7))])]
    ).serialized()
    let client = ServiceAddress(host: try #require(IPAddress("127.0.0.1")), port: 40000)
    let server = ServiceAddress(host: try #require(IPAddress("192.0.2.53")), port: 53)
    let time = DnstapTime(seconds: 1_700_000_000, nanoseconds: 1)
    return DnstapMessage.Kind.allCases.map { kind in
        var message = DnstapMessage(kind: kind, socketProtocol: .udp)
        let isClient = kind == .clientQuery || kind == .clientResponse
        message.queryAddress = isClient ? client : nil
        message.responseAddress = isClient ? nil : server
        message.queryTime = time
        message.queryMessage = query
        if kind == .clientResponse || kind == .resolverResponse {
            message.responseTime = time
            message.responseMessage = response
        }
        if !isClient { message.queryZone = try? DomainName("example.") }
        return message
    }
}

@Suite("Frame Streams output", .serialized)
struct FrameStreamsTests {
    let envelope = DnstapEnvelope(identity: "test-host", version: "mamori test")

    @Test("a file: START with the dnstap content type, one data frame per message, STOP at close")
    func file() throws {
        let path = temporaryPath("file")
        defer { unlink(path) }
        let messages = try sampleMessages()
        let output = try DnstapOutput(destination: .file(path), envelope: envelope)
        for message in messages { output.write(message) }
        output.close()
        #expect(output.written == 4 && output.dropped == 0)
        let written = try frames(Array(Data(contentsOf: URL(fileURLWithPath: path))))
        let expected: [Frame] =
            [.control(Control.start.rawValue, contentTypes: ["protobuf:dnstap.Dnstap"])]
            + messages.map { .data(envelope.encode($0)) } + [.control(Control.stop.rawValue, contentTypes: [])]
        #expect(written == expected)
        // Writes after close are dropped and counted, not queued.
        output.write(messages[0])
        #expect(output.written == 4 && output.dropped == 1)
    }

    @Test("dnstap-read (BIND) reads the file back: each kind, its addresses, the query name and answer")
    func dnstapRead() throws {
        let tool = "/usr/bin/dnstap-read"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "dnstap-read is needed (bind9-dnsutils)")
        let path = temporaryPath("read")
        defer { unlink(path) }
        let output = try DnstapOutput(destination: .file(path), envelope: envelope)
        for message in try sampleMessages() { output.write(message) }
        output.close()
        let yaml = try run(tool, ["-y", path])
        let types = yaml.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("type: ") && $0 != "type: MESSAGE" }.map { $0.dropFirst(6) }
        #expect(types == ["RESOLVER_QUERY", "RESOLVER_RESPONSE", "CLIENT_QUERY", "CLIENT_RESPONSE"], "\(yaml)")
        #expect(yaml.components(separatedBy: "identity: test-host").count == 5, "\(yaml)")
        #expect(yaml.components(separatedBy: "version: mamori test").count == 5, "\(yaml)")
        #expect(yaml.components(separatedBy: #"query_address: "127.0.0.1""#).count == 3, "\(yaml)")
        #expect(yaml.components(separatedBy: "query_port: 40000").count == 3, "\(yaml)")
        #expect(yaml.components(separatedBy: #"response_address: "192.0.2.53""#).count == 3, "\(yaml)")
        #expect(yaml.components(separatedBy: "query_zone: example.").count == 3, "\(yaml)")
        #expect(yaml.contains("www.example.") && yaml.contains("192.0.2.7"), "\(yaml)")
        // The one-line form names each message's type code and transport.
        let lines = try run(tool, [path]).split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.contains(" UDP ") }, "\(lines)")
        #expect(lines.map { $0.split(separator: " ")[2] } == ["RQ", "RR", "CQ", "CR"], "\(lines)")
    }

    @Test("a unix socket: READY/ACCEPT/START handshake, data frames, STOP/FINISH at close")
    func unixSocket() throws {
        let path = temporaryPath("sock")
        let collector = try Collector(path: path)
        defer { collector.close() }
        let messages = try sampleMessages()
        let output = try DnstapOutput(destination: .socket(path), envelope: envelope)
        let connection = try #require(collector.accept(), "the writer never connected")
        defer { Glibc.close(connection) }
        #expect(
            collector.readFrame(connection)
                == .control(Control.ready.rawValue, contentTypes: ["protobuf:dnstap.Dnstap"]))
        collector.send(connection, controlFrame(.accept, contentType: "protobuf:dnstap.Dnstap"))
        #expect(
            collector.readFrame(connection)
                == .control(Control.start.rawValue, contentTypes: ["protobuf:dnstap.Dnstap"]))
        for message in messages { output.write(message) }
        for message in messages { #expect(collector.readFrame(connection) == .data(envelope.encode(message))) }
        let closing = Thread { output.close() }
        closing.start()
        #expect(collector.readFrame(connection) == .control(Control.stop.rawValue, contentTypes: []))
        collector.send(connection, controlFrame(.finish, contentType: nil))
        for _ in 0..<500 where !closing.isFinished { usleep(10_000) }
        #expect(closing.isFinished)
    }

    @Test("a collector that starts after the output is reached on a later attempt, and gets what follows")
    func lateCollector() throws {
        let path = temporaryPath("late")
        let output = try DnstapOutput(destination: .socket(path), envelope: envelope)
        defer { output.close() }
        let messages = try sampleMessages()
        // Nobody listens: the I/O thread discards what it takes while it has no collector (or sends
        // it, should the collector be reached first); nothing blocks here.
        let early = messages[0..<3].map { envelope.encode($0) }
        for message in messages[0..<3] { output.write(message) }
        let collector = try Collector(path: path)
        defer { collector.close() }
        let connection = try #require(collector.accept(), "the writer never reconnected")
        defer { Glibc.close(connection) }
        let ready = collector.readFrame(connection)
        #expect(ready == .control(Control.ready.rawValue, contentTypes: ["protobuf:dnstap.Dnstap"]))
        collector.send(connection, controlFrame(.accept, contentType: "protobuf:dnstap.Dnstap"))
        let start = collector.readFrame(connection)
        #expect(start == .control(Control.start.rawValue, contentTypes: ["protobuf:dnstap.Dnstap"]))
        output.write(messages[3])
        var next = collector.readFrame(connection)
        for _ in early.indices {
            guard case .data(let payload) = next, early.contains(payload) else { break }
            next = collector.readFrame(connection)
        }
        #expect(next == .data(envelope.encode(messages[3])))
    }

    @Test("a collector that goes away and comes back is reconnected, with a new handshake")
    func restartedCollector() throws {
        let path = temporaryPath("restart")
        let collector = try Collector(path: path)
        defer { collector.close() }
        let output = try DnstapOutput(destination: .socket(path), envelope: envelope)
        defer { output.close() }
        let messages = try sampleMessages()
        let first = try #require(collector.accept(), "the writer never connected")
        #expect(
            collector.readFrame(first) == .control(Control.ready.rawValue, contentTypes: [DnstapOutput.contentType]))
        collector.send(first, controlFrame(.accept, contentType: DnstapOutput.contentType))
        #expect(
            collector.readFrame(first) == .control(Control.start.rawValue, contentTypes: [DnstapOutput.contentType]))
        output.write(messages[0])
        #expect(collector.readFrame(first) == .data(envelope.encode(messages[0])))
        // The collector goes away. The writer learns it when a write fails, so messages keep
        // coming (a resolver's traffic) until it connects again; each wait is bounded.
        Glibc.close(first)
        var second: Int32?
        for _ in 0..<100 where second == nil {
            output.write(messages[1])
            second = collector.accept(waitingMilliseconds: 100)
        }
        let connection = try #require(second, "the writer never reconnected")
        defer { Glibc.close(connection) }
        #expect(
            collector.readFrame(connection)
                == .control(Control.ready.rawValue, contentTypes: [DnstapOutput.contentType]))
        collector.send(connection, controlFrame(.accept, contentType: DnstapOutput.contentType))
        #expect(
            collector.readFrame(connection)
                == .control(Control.start.rawValue, contentTypes: [DnstapOutput.contentType]))
        output.write(messages[3])
        // Messages written while it reconnected may come first; then the new one.
        var next = collector.readFrame(connection)
        for _ in 0..<200 {
            guard next == .data(envelope.encode(messages[1])) else { break }
            next = collector.readFrame(connection)
        }
        #expect(next == .data(envelope.encode(messages[3])))
    }

    @Test("a path too long for a unix socket is refused with its length named")
    func longPath() {
        let path = "/tmp/" + String(repeating: "x", count: 120)
        #expect(throws: DnstapError.self) { try DnstapOutput(destination: .socket(path), envelope: envelope) }
    }
}

/// Runs `tool arguments` and returns its standard output.
private func run(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A hand-written Frame Streams collector: a listening unix socket, blocking reads with a 10 s
/// timeout, frames parsed as the protocol describes them.
private final class Collector {
    /// The listening socket.
    let descriptor: Int32
    /// Its path.
    let path: String

    /// Binds and listens at `path`.
    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0 && listen(descriptor, 4) == 0)
    }

    /// The next connection, waiting up to `waitingMilliseconds` (by default 10 s: libfstrm retries
    /// every 2 s), or nil.
    func accept(waitingMilliseconds: Int32 = 10_000) -> Int32? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, waitingMilliseconds) == 1 else { return nil }
        let connection = Glibc.accept(descriptor, nil, nil)
        guard connection >= 0 else { return nil }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return connection
    }

    /// Exactly `count` octets, or nil at end of stream or timeout.
    private func read(_ connection: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            let got = bytes.withUnsafeMutableBytes { recv(connection, $0.baseAddress! + have, count - have, 0) }
            guard got > 0 else { return nil }
            have += got
        }
        return bytes
    }

    /// The next frame, or nil.
    func readFrame(_ connection: Int32) -> Frame? {
        guard let prefix = read(connection, 4) else { return nil }
        let length = Int(uint32(prefix, 0))
        if length > 0 { return read(connection, length).map { .data($0) } }
        guard let controlPrefix = read(connection, 4), let body = read(connection, Int(uint32(controlPrefix, 0)))
        else { return nil }
        return parseControl(body)
    }

    /// Writes `bytes`.
    func send(_ connection: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes and removes the socket.
    func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
