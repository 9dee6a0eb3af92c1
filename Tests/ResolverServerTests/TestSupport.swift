// Primary responsibilities: test doubles and helpers for the server tests — a scripted
// QueryHandler (cache hits, big answers, gated slow answers), query builders, and blocking
// loopback UDP/TCP clients with receive timeouts, so no test can hang.

import DNSWire
import Dispatch
import Foundation
import Logging
import MamoriConfiguration
import MamoriService
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A gate a test opens to let a held answer go.
final class Gate: Sendable {
    /// The semaphore.
    private let semaphore = DispatchSemaphore(value: 0)
    /// Opens it once.
    func open() { semaphore.signal() }
    /// Waits for it, at most 10 s.
    func wait() { _ = semaphore.wait(timeout: .now() + 10) }
}

/// A handler scripted by question name:
/// - `cached.test.` is answered from the cache (an A record);
/// - `big.test.` resolves to 60 TXT records of 100 octets (about 6.6 KB);
/// - `gated.test.` resolves once `gate` is opened;
/// - `held.test.` is never answered until `releaseHeld()`;
/// - anything else resolves to one A record at once.
final class ScriptedHandler: QueryHandler, Reloadable {
    /// Opened by tests to release `gated.test.`.
    let gate = Gate()
    /// Held `respond` callbacks for `held.test.`.
    private let held = Mutex<[@Sendable (Message) -> Void]>([])
    /// How many times resolve was called.
    let resolveCount = Atomic(0)
    /// How many times answerFromCache was called.
    let cacheCount = Atomic(0)
    /// The answer generation; tests advance it to say the cached answers changed.
    let generation = Atomic<UInt64>(0)

    /// When set, every fast-path answer advances ``generation`` while it is made, as a flush
    /// racing each query would.
    let changeWhileAnswering = Atomic(false)

    /// ``generation``'s value.
    var answerGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Answers `cached.test.` only.
    func answerFromCache(_ query: Message, client: ClientAddress) -> CacheAnswer {
        cacheCount.add(1, ordering: .relaxed)
        if changeWhileAnswering.load(ordering: .relaxed) { generation.add(1, ordering: .releasing) }
        guard let question = query.question, question.name == DomainName("cached.test") else {
            return .miss(CacheMiss(nothingCached: true))
        }
        return .response(Self.answer(query, rdatas: [.a(A(192, 0, 2, 1))]))
    }

    /// Answers per the script.
    func resolve(
        _ query: Message, client: ClientAddress, after miss: CacheMiss, respond: @escaping @Sendable (Message) -> Void
    ) {
        resolveCount.add(1, ordering: .relaxed)
        let name = query.question!.name
        if name == DomainName("big.test") {
            let filler = Array(repeating: UInt8(ascii: "x"), count: 100)
            let rdatas: [RData] = (0..<60).map { index in .txt(TXT(strings: [Array("\(index)".utf8) + filler])) }
            respond(Self.answer(query, rdatas: rdatas, type: .txt))
        } else if name == DomainName("gated.test") {
            let gate = self.gate
            DispatchQueue.global().async {
                gate.wait()
                respond(Self.answer(query, rdatas: [.a(A(192, 0, 2, 3))]))
            }
        } else if name == DomainName("held.test") {
            held.withLock { $0.append(respond) }
        } else {
            respond(Self.answer(query, rdatas: [.a(A(192, 0, 2, 2))]))
        }
    }

    /// Answers every held query.
    func releaseHeld() {
        let callbacks = held.withLock { callbacks in
            defer { callbacks = [] }
            return callbacks
        }
        for respond in callbacks { respond(Message(rcode: .servFail)) }
    }

    /// Nothing to reload.
    func reload(_ configuration: Configuration) throws {}

    /// A NOERROR answer with one RRset for the question.
    static func answer(_ query: Message, rdatas: [RData], type: RRType = .a) -> Message {
        let question = query.question!
        return Message(answer: [RRSet(name: question.name, type: type, ttl: 300, rdatas: rdatas)])
    }
}

/// Builds query bytes.
func queryBytes(
    _ name: String, type: RRType = .a, id: UInt16 = 0x1234, recursionDesired: Bool = true, edns: EDNS? = nil,
    opcode: Opcode = .query
) -> [UInt8] {
    var header = Header(id: id, opcode: opcode)
    header.recursionDesired = recursionDesired
    let message = Message(header: header, questions: [Question(name: try! DomainName(name), type: type)], edns: edns)
    return try! message.serialized()
}

/// A server on loopback with an ephemeral port, stopped by `stop()`.
final class RunningServer: Sendable {
    /// The server.
    let server: DNSServer
    /// The handler.
    let handler: ScriptedHandler
    /// Where it listens (UDP and TCP share the port).
    let address: ServiceAddress

    /// Binds and starts a server on `host` port 0.
    init(host: String = "127.0.0.1", configure: (inout Configuration) -> Void = { _ in }) throws {
        var configuration = Configuration()
        configure(&configuration)
        handler = ScriptedHandler()
        server = DNSServer(handler: handler, configuration: configuration, logger: Logger(label: "test"))
        try server.bind([ServiceAddress(host: IPAddress(host)!, port: 0)], threads: 1)
        server.start()
        address = server.udpAddresses[0]
    }

    /// Stops it.
    func stop() { _ = server.stop(timeout: .seconds(1)) }
}

/// A blocking client socket with a receive timeout.
final class ClientSocket {
    /// The descriptor.
    let descriptor: Int32

    /// Opens a UDP or TCP socket connected to `address`, with a 5 s receive timeout.
    init(to address: ServiceAddress, stream: Bool) throws {
        let family = address.host.isIPv6 ? AF_INET6 : AF_INET
        descriptor = socket(family, Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        let bytes = address.host.bytes
        withUnsafeMutableBytes(of: &storage) { raw in
            if family == AF_INET6 {
                let pointer = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                pointer.pointee.sin6_family = sa_family_t(AF_INET6)
                pointer.pointee.sin6_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &pointer.pointee.sin6_addr) { $0.copyBytes(from: bytes) }
            } else {
                let pointer = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                pointer.pointee.sin_family = sa_family_t(AF_INET)
                pointer.pointee.sin_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &pointer.pointee.sin_addr) { $0.copyBytes(from: bytes) }
            }
        }
        length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Opens a unix stream socket connected to `path`, with a 5 s receive timeout.
    init(unixPath path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// Closes the socket.
    deinit { close(descriptor) }

    /// Sends bytes (one datagram, or raw stream bytes).
    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends one TCP frame (2-octet length, RFC 7766 §8).
    func sendFrame(_ bytes: [UInt8]) { send(Self.frame(bytes)) }

    /// A message with its 2-octet length prefix.
    static func frame(_ bytes: [UInt8]) -> [UInt8] { [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes }

    /// Receives one datagram, nil on timeout.
    func receiveDatagram() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65535)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer.prefix(count)) : nil
    }

    /// Reads exactly `count` stream bytes; nil on end of stream or timeout.
    func read(_ count: Int) -> [UInt8]? {
        var result: [UInt8] = []
        while result.count < count {
            var buffer = [UInt8](repeating: 0, count: count - result.count)
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got <= 0 { return nil }
            result += buffer.prefix(got)
        }
        return result
    }

    /// Reads one TCP frame; nil on end of stream or timeout.
    func readFrame() -> [UInt8]? {
        guard let prefix = read(2) else { return nil }
        return read(Int(prefix[0]) << 8 | Int(prefix[1]))
    }

    /// Reads until the peer closes the connection (or the timeout), as text.
    func readToEnd() -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            result += buffer.prefix(got)
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// True when the peer closed the connection (end of stream or reset within the timeout).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let got = recv(descriptor, &byte, 1, 0)
        return got == 0 || (got < 0 && errno == ECONNRESET)
    }
}
