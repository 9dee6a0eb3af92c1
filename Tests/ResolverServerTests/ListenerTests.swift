// Primary responsibilities: the listeners over real loopback sockets — UDP answers and truncation,
// TCP framing with pipelined queries answered out of order (RFC 7766 §6.2.1.1), the in-flight
// limit, the end after a half-close, the idle timeout, the connection cap, wildcard binds replying
// from the queried address, and IPv6.

import DNSWire
import MamoriConfiguration
import ResolverServer
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Listeners", .serialized)
struct ListenerTests {
    @Test("UDP: cache hits and resolved answers; a big answer is truncated with TC, and TCP carries it whole")
    func udpAndTruncation() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let udp = try ClientSocket(to: running.address, stream: false)
        udp.send(queryBytes("cached.test", id: 1))
        let hit = try Message(parsing: try #require(udp.receiveDatagram()))
        #expect(hit.header.id == 1 && hit.answer.first?.rdatas == [.a(A(192, 0, 2, 1))])

        udp.send(queryBytes("big.test", type: .txt, id: 2, edns: EDNS(udpPayloadSize: 1232)))
        let truncatedBytes = try #require(udp.receiveDatagram())
        let truncated = try Message(parsing: truncatedBytes)
        #expect(truncated.header.id == 2 && truncated.header.truncated && truncatedBytes.count <= 1232)

        udp.send(queryBytes("big.test", type: .txt, id: 3))
        let classic = try #require(udp.receiveDatagram())
        #expect(classic.count <= 512)
        #expect(try Message(parsing: classic).header.truncated)

        let tcp = try ClientSocket(to: running.address, stream: true)
        tcp.sendFrame(queryBytes("big.test", type: .txt, id: 4, edns: EDNS(udpPayloadSize: 1232)))
        let full = try Message(parsing: try #require(tcp.readFrame()))
        #expect(full.header.id == 4 && !full.header.truncated && full.answer.first?.rdatas.count == 60)
    }

    @Test("UDP malformed: FORMERR with a readable header, silence without one")
    func udpMalformed() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let udp = try ClientSocket(to: running.address, stream: false)
        udp.send([0xAB, 0xCD, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61])
        let formerr = try Message(parsing: try #require(udp.receiveDatagram()))
        #expect(formerr.header.id == 0xABCD && formerr.rcode == .formErr)
        udp.send([0xAB, 0xCD, 0x01])
        udp.send(queryBytes("cached.test", id: 5))
        // The short datagram got nothing: the next datagram is the answer to the good query.
        let next = try Message(parsing: try #require(udp.receiveDatagram()))
        #expect(next.header.id == 5)
    }

    @Test("TCP: pipelined queries are answered as they complete, out of order, on one connection")
    func tcpPipelining() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let tcp = try ClientSocket(to: running.address, stream: true)
        // Three frames in one write: the first waits for the gate, the others are answered at once.
        tcp.send(
            ClientSocket.frame(queryBytes("gated.test", id: 10)) + ClientSocket.frame(queryBytes("cached.test", id: 11))
                + ClientSocket.frame(queryBytes("other.test", id: 12)))
        let first = try Message(parsing: try #require(tcp.readFrame()))
        let second = try Message(parsing: try #require(tcp.readFrame()))
        #expect(Set([first.header.id, second.header.id]) == [11, 12])
        running.handler.gate.open()
        let third = try Message(parsing: try #require(tcp.readFrame()))
        #expect(third.header.id == 10 && third.answer.first?.rdatas == [.a(A(192, 0, 2, 3))])
        // A frame split across writes is reassembled.
        let frame = ClientSocket.frame(queryBytes("cached.test", id: 13))
        tcp.send(Array(frame.prefix(5)))
        tcp.send(Array(frame.dropFirst(5)))
        #expect(try Message(parsing: try #require(tcp.readFrame())).header.id == 13)
    }

    @Test("TCP: reading pauses at the in-flight limit; after a half-close the answers are written, then it closes")
    func tcpQueryLimitAndHalfClose() throws {
        let running = try RunningServer { $0.server.tcpMaxQueriesPerConnection = 1 }
        defer { running.stop() }
        let tcp = try ClientSocket(to: running.address, stream: true)
        // Read past the limit, the cached query would be answered before the gated one completes.
        tcp.send(
            ClientSocket.frame(queryBytes("gated.test", id: 50)) + ClientSocket.frame(queryBytes("cached.test", id: 51))
        )
        _ = shutdown(tcp.descriptor, Int32(SHUT_WR))
        running.handler.gate.open()
        #expect(try Message(parsing: try #require(tcp.readFrame())).header.id == 50)
        #expect(try Message(parsing: try #require(tcp.readFrame())).header.id == 51)
        #expect(tcp.isClosedByPeer())
    }

    @Test("TCP: idle and half-open clients are closed after the idle timeout; partial frames do not count")
    func tcpIdleTimeout() throws {
        let running = try RunningServer { $0.server.tcpIdleTimeout = .milliseconds(300) }
        defer { running.stop() }
        let silent = try ClientSocket(to: running.address, stream: true)
        let partial = try ClientSocket(to: running.address, stream: true)
        partial.send([0x00, 0x20, 0x12])
        #expect(silent.isClosedByPeer())
        #expect(partial.isClosedByPeer())
        // The listener still serves new connections.
        let fresh = try ClientSocket(to: running.address, stream: true)
        fresh.sendFrame(queryBytes("cached.test", id: 20))
        #expect(try Message(parsing: try #require(fresh.readFrame())).header.id == 20)
    }

    @Test("TCP: connections over the cap are closed at once; those within it keep working")
    func tcpConnectionCap() throws {
        let running = try RunningServer { $0.server.tcpMaxConnections = 2 }
        defer { running.stop() }
        let first = try ClientSocket(to: running.address, stream: true)
        let second = try ClientSocket(to: running.address, stream: true)
        for (index, client) in [first, second].enumerated() {
            client.sendFrame(queryBytes("cached.test", id: UInt16(30 + index)))
            #expect(try Message(parsing: try #require(client.readFrame())).header.id == UInt16(30 + index))
        }
        let third = try ClientSocket(to: running.address, stream: true)
        third.sendFrame(queryBytes("cached.test", id: 40))
        #expect(third.readFrame() == nil)
        first.sendFrame(queryBytes("cached.test", id: 41))
        #expect(try Message(parsing: try #require(first.readFrame())).header.id == 41)
    }

    @Test("TCP: a zero-length frame closes the connection")
    func tcpZeroLength() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let tcp = try ClientSocket(to: running.address, stream: true)
        tcp.send([0, 0])
        #expect(tcp.isClosedByPeer())
    }

    @Test("IPv6 listener with access control refusing ::1")
    func ipv6() throws {
        let running = try RunningServer(host: "::1") {
            $0.accessControl = [AccessRule(network: IPNetwork("::1/128")!, action: .refuse)]
        }
        defer { running.stop() }
        let udp = try ClientSocket(to: running.address, stream: false)
        udp.send(queryBytes("cached.test", id: 50))
        let refused = try Message(parsing: try #require(udp.receiveDatagram()))
        #expect(refused.header.id == 50 && refused.rcode == .refused)
    }

    @Test("a wildcard bind answers from the address the query was sent to (IP_PKTINFO)")
    func wildcardReplyAddress() throws {
        let running = try RunningServer(host: "0.0.0.0")
        defer { running.stop() }
        // A connected UDP socket only accepts datagrams from the address it is connected to.
        let target = ServiceAddress(host: IPAddress("127.0.0.2")!, port: running.address.port)
        let udp = try ClientSocket(to: target, stream: false)
        udp.send(queryBytes("cached.test", id: 60))
        let reply = try Message(parsing: try #require(udp.receiveDatagram()))
        #expect(reply.header.id == 60)
    }

    @Test("stop waits for in-flight work within its bound and reports what it abandoned")
    func stopBound() throws {
        let running = try RunningServer()
        let udp = try ClientSocket(to: running.address, stream: false)
        udp.send(queryBytes("held.test", id: 70))
        udp.send(queryBytes("cached.test", id: 71))
        _ = udp.receiveDatagram()
        let abandoned = running.server.stop(timeout: .milliseconds(100))
        #expect(abandoned == 1)
        running.handler.releaseHeld()
    }
}
