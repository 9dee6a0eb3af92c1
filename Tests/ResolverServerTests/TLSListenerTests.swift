// Primary responsibilities: the DNS-over-TLS listener over real loopback sockets — queries and
// padding (RFC 7858, RFC 7830, RFC 8467), hostile clients (garbage instead of a handshake, a client
// that never finishes it), a certificate reload that leaves open connections alone, the metrics.

import DNSWire
import Foundation
import MamoriConfiguration
import MamoriService
import MamoriTLS
import ResolverServer
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking DNS-over-TLS client (the socket's 5 s receive timeout bounds every wait).
private final class TLSClient {
    let socket: ClientSocket
    let session: TLSSession

    /// Connects and completes the handshake, trusting `files`' CA.
    init(to address: ServiceAddress, files: TestCertificates, resuming: TLSResumption? = nil) throws {
        socket = try ClientSocket(to: address, stream: true)
        let context = try TLSClientContext(caFile: files.caFile)
        session = try TLSSession(
            connecting: socket.descriptor, context: context,
            authentication: TLSAuthentication(name: TestCertificates.serverName))
        if let resuming { session.resume(resuming) }
        for _ in 0..<10 where session.handshake() != .done(0) {}
    }

    /// Sends one framed query.
    func send(_ query: [UInt8]) {
        let frame = ClientSocket.frame(query)
        _ = frame.withUnsafeBytes { session.write($0) }
    }

    /// Reads one framed response; nil at the end of the stream or the timeout.
    func readFrame() -> [UInt8]? {
        guard let prefix = read(2) else { return nil }
        return read(Int(prefix[0]) << 8 | Int(prefix[1]))
    }

    /// Exactly `count` decrypted bytes, or nil.
    private func read(_ count: Int) -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        // Bounded: each pass reads at least one byte, or ends.
        while result.count < count {
            let want = count - result.count
            guard
                case .done(let got) = buffer.withUnsafeMutableBytes({ session.read(into: .init(rebasing: $0[..<want])) }
                ),
                got > 0
            else { return nil }
            result += buffer.prefix(got)
        }
        return result
    }
}

@Suite struct TLSListenerTests {
    let files: TestCertificates

    init() throws { files = try TestCertificates() }

    /// A context from the test files.
    func context(keepingTicketsOf previous: TLSServerContext? = nil) throws -> TLSServerContext {
        try TLSServerContext(
            certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"], ticketKeysFrom: previous)
    }

    @Test("DoT: answers pipelined queries; a padded query gets a response padded to 468-octet blocks, others none")
    func queriesAndPadding() throws {
        defer { files.remove() }
        let metrics = ServerMetrics()
        let running = try RunningServer(tls: try context(), metrics: metrics)
        defer { running.stop() }
        let client = try TLSClient(to: try #require(running.tlsAddress), files: files)
        #expect(client.session.applicationProtocol == "dot")
        client.send(queryBytes("cached.test", id: 1))
        client.send(queryBytes("other.test", id: 2, edns: EDNS(options: [.padding(0)])))
        let first = try Message(parsing: try #require(client.readFrame()))
        let padded = try #require(client.readFrame())
        #expect(first.header.id == 1 && first.answer.first?.rdatas == [.a(A(192, 0, 2, 1))])
        #expect(first.edns == nil)
        let second = try Message(parsing: padded)
        #expect(second.header.id == 2 && second.answer.first?.rdatas == [.a(A(192, 0, 2, 2))])
        #expect(padded.count % 468 == 0)
        #expect(second.edns?.options.contains { $0.code == .padding } == true)

        // Over plain TCP the same padded query is not padded (RFC 8467 §4: encrypted transports only).
        let tcp = try ClientSocket(to: running.address, stream: true)
        tcp.sendFrame(queryBytes("other.test", id: 3, edns: EDNS(options: [.padding(0)])))
        let plain = try Message(parsing: try #require(tcp.readFrame()))
        #expect(plain.edns?.options.contains { $0.code == .padding } == false)

        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mamori_queries_total{transport="tls"} 2"#))
        #expect(text.contains(#"mamori_tls_handshakes_total{result="full"} 1"#))
        #expect(text.contains("mamori_tls_connections 1"))
    }

    @Test("DoT: garbage instead of a ClientHello, or no handshake within the deadline, closes only that connection")
    func hostileClients() throws {
        defer { files.remove() }
        let metrics = ServerMetrics()
        let running = try RunningServer(tls: try context(), metrics: metrics) {
            $0.tls.handshakeTimeout = .seconds(1)
            $0.server.tcpIdleTimeout = .seconds(1)
        }
        defer { running.stop() }
        let address = try #require(running.tlsAddress)
        let silent = try ClientSocket(to: address, stream: true)
        let garbage = try ClientSocket(to: address, stream: true)
        garbage.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(garbage.isClosedByPeer())
        // A 64 KiB length prefix with nothing after it, inside TLS: a partial frame, closed by the
        // idle timeout (RFC 7766 §6.2.3) like over TCP; a good client is served meanwhile.
        let stalled = try TLSClient(to: address, files: files)
        _ = [UInt8]([0xFF, 0xFF]).withUnsafeBytes { stalled.session.write($0) }
        let good = try TLSClient(to: address, files: files)
        good.send(queryBytes("cached.test", id: 7))
        #expect(try Message(parsing: try #require(good.readFrame())).header.id == 7)
        #expect(stalled.readFrame() == nil)
        let started = ContinuousClock.now
        #expect(silent.isClosedByPeer())
        #expect(ContinuousClock.now - started < .seconds(4))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"mamori_tls_handshakes_total{result="failed"} 2"#))
    }

    @Test("DoT: a reloaded certificate serves new connections, open ones go on, and tickets still resume")
    func reloadKeepsConnectionsAndTickets() throws {
        defer { files.remove() }
        let first = try context()
        let running = try RunningServer(tls: first)
        defer { running.stop() }
        let address = try #require(running.tlsAddress)
        let open = try TLSClient(to: address, files: files)
        open.send(queryBytes("cached.test", id: 1))
        _ = try #require(open.readFrame())
        let ticket = try #require(open.session.resumption)

        let renewed = try context(keepingTicketsOf: first)
        running.server.reload(ServerPolicy(Configuration()), tlsContext: renewed)
        #expect(running.server.tlsContext === renewed)
        open.send(queryBytes("cached.test", id: 2))
        #expect(try Message(parsing: try #require(open.readFrame())).header.id == 2)
        let resumed = try TLSClient(to: address, files: files, resuming: ticket)
        #expect(resumed.session.isResumed)
        resumed.send(queryBytes("cached.test", id: 3))
        #expect(try Message(parsing: try #require(resumed.readFrame())).header.id == 3)
    }
}
