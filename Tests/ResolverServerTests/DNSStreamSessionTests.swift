// Primary responsibilities: RFC 7766 stream framing without sockets — frames split and joined
// across reads, the zero-length frame, the pause at the in-flight limit, the output bound, the
// idle rule that partial frames do not extend, and the end after the peer half-closes.

import SocketTestKit
import Testing

@testable import ResolverServer

/// A query-sized message whose bytes say which one it is.
private func message(_ tag: UInt8, length: Int = 12) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: $0) &+ tag }
}

/// A session at time zero with the given limits.
private func makeSession(maxQueries: Int = 4, idleTimeout: Duration = .milliseconds(300)) -> DNSStreamSession {
    DNSStreamSession(maxQueries: maxQueries, idleTimeout: idleTimeout, now: .zero)
}

/// Every message the session gives now, and what stopped the taking.
private func drain(_ session: inout DNSStreamSession, now: Duration = .zero) -> ([[UInt8]], DNSStreamSession.NextQuery)
{
    var messages: [[UInt8]] = []
    // Bounded: a test feeds a handful of frames.
    for _ in 0..<64 {
        switch session.nextQuery(now: now) {
        case .message(let bytes): messages.append(bytes)
        case let other: return (messages, other)
        }
    }
    return (messages, .waiting)
}

/// All framed bytes the session holds for writing.
private func pendingOutput(_ session: DNSStreamSession) -> [UInt8] {
    session.withPendingOutput { Array($0) }
}

@Suite("DNS stream session (RFC 7766 framing)")
struct DNSStreamSessionTests {
    @Test("a frame split across reads is whole only once its last byte arrives")
    func frameSplitAcrossReads() {
        var session = makeSession()
        let frame = ClientSocket.frame(message(1))
        session.received(Array(frame.prefix(5)))
        #expect(session.nextQuery(now: .zero) == .waiting)
        session.received(Array(frame[5..<9]))
        #expect(session.nextQuery(now: .zero) == .waiting)
        session.received(Array(frame.dropFirst(9)))
        #expect(session.nextQuery(now: .zero) == .message(message(1)))
        #expect(session.nextQuery(now: .zero) == .waiting)
    }

    @Test("several frames in one read come out in order, and a trailing partial frame waits")
    func severalFramesInOneRead() {
        var session = makeSession()
        let fourth = ClientSocket.frame(message(4))
        session.received(
            ClientSocket.frame(message(1)) + ClientSocket.frame(message(2, length: 300))
                + ClientSocket.frame(message(3, length: 1)) + fourth.prefix(3))
        let (messages, stop) = drain(&session)
        #expect(messages == [message(1), message(2, length: 300), message(3, length: 1)])
        #expect(stop == .waiting)
        session.received(Array(fourth.dropFirst(3)))
        #expect(session.nextQuery(now: .zero) == .message(message(4)))
    }

    @Test("a length prefix split across reads is joined")
    func lengthPrefixSplit() {
        var session = makeSession()
        let frame = ClientSocket.frame(message(7, length: 258))
        session.received([frame[0]])
        #expect(session.nextQuery(now: .zero) == .waiting)
        session.received(Array(frame.dropFirst()))
        #expect(session.nextQuery(now: .zero) == .message(message(7, length: 258)))
    }

    @Test("a zero-length frame is reported, after the whole frames before it")
    func zeroLengthFrame() {
        var session = makeSession()
        session.received(ClientSocket.frame(message(1)) + [0, 0] + ClientSocket.frame(message(2)))
        #expect(session.nextQuery(now: .zero) == .message(message(1)))
        #expect(session.nextQuery(now: .zero) == .zeroLength)
        var alone = makeSession()
        alone.received([0, 0])
        #expect(alone.nextQuery(now: .zero) == .zeroLength)
    }

    @Test("reading pauses with maxQueries in flight and resumes when one is answered")
    func pauseAtQueryLimit() {
        var session = makeSession(maxQueries: 2)
        session.received((1...4).flatMap { ClientSocket.frame(message($0)) })
        // An answer given at once does not count towards the limit.
        #expect(session.nextQuery(now: .zero) == .message(message(1)))
        #expect(session.nextQuery(now: .zero) == .message(message(2)))
        session.queryStarted()
        #expect(session.nextQuery(now: .zero) == .message(message(3)))
        session.queryStarted()
        #expect(session.isAtQueryLimit && !session.wantsInput)
        #expect(session.nextQuery(now: .zero) == .waiting)
        session.queryAnswered(now: .milliseconds(10))
        #expect(!session.isAtQueryLimit && session.wantsInput)
        #expect(session.nextQuery(now: .zero) == .message(message(4)))
        #expect(session.nextQuery(now: .zero) == .waiting)
    }

    @Test("responses are framed with their length; past 256 KiB waiting the connection must close")
    func outputBound() {
        var session = makeSession()
        #expect(session.enqueue([]) == .ignored)
        #expect(session.enqueue([UInt8](repeating: 1, count: 65536)) == .ignored)
        #expect(!session.hasPendingOutput)
        #expect(session.enqueue(message(9, length: 3)) == .queued)
        #expect(pendingOutput(session) == [0, 3] + message(9, length: 3))
        session.wrote(5, now: .zero)
        #expect(!session.hasPendingOutput)

        let largest = [UInt8](repeating: 2, count: DNSStreamSession.maxMessageLength)
        for _ in 0..<3 { #expect(session.enqueue(largest) == .queued) }
        // 3 × 65537 bytes wait; one more largest answer would pass 262144.
        #expect(session.enqueue(largest) == .overBound)
        // Exactly 256 KiB may wait; one byte more may not.
        #expect(session.enqueue(message(1, length: 262144 - 3 * 65537 - 2)) == .queued)
        #expect(session.enqueue(message(1, length: 1)) == .overBound)
        // Written bytes make room again.
        session.wrote(65537, now: .zero)
        #expect(session.enqueue(largest) == .queued)
        #expect(pendingOutput(session).count == DNSStreamSession.maxOutput)
    }

    @Test("the idle timeout counts from the last whole query; partial frames do not extend it")
    func idleRule() {
        var session = makeSession(idleTimeout: .milliseconds(300))
        #expect(!session.isIdle(now: .milliseconds(299)))
        session.received([0x00, 0x20, 0x12])
        #expect(session.nextQuery(now: .milliseconds(200)) == .waiting)
        #expect(session.isIdle(now: .milliseconds(300)))

        var busy = makeSession(idleTimeout: .milliseconds(300))
        busy.received(ClientSocket.frame(message(1)) + ClientSocket.frame(message(2)).prefix(4))
        #expect(busy.nextQuery(now: .milliseconds(250)) == .message(message(1)))
        busy.received(Array(ClientSocket.frame(message(2)).dropFirst(4).prefix(3)))
        #expect(busy.nextQuery(now: .milliseconds(500)) == .waiting)
        #expect(!busy.isIdle(now: .milliseconds(549)))
        #expect(busy.isIdle(now: .milliseconds(550)))

        // A query in resolution keeps the connection open; an answer the client does not read does not.
        busy.queryStarted()
        #expect(!busy.isIdle(now: .seconds(10)))
        busy.queryAnswered(now: .seconds(10))
        #expect(busy.enqueue(message(3)) == .queued)
        #expect(!busy.isIdle(now: .milliseconds(10299)))
        #expect(busy.isIdle(now: .milliseconds(10300)))
        busy.wrote(4, now: .milliseconds(10200))
        #expect(!busy.isIdle(now: .milliseconds(10300)))
    }

    @Test("after the peer half-closes, the pending answer is written and then the connection ends")
    func halfClose() {
        var session = makeSession()
        session.received(ClientSocket.frame(message(1)))
        #expect(session.nextQuery(now: .zero) == .message(message(1)))
        session.queryStarted()
        let end = session.receive(upTo: 16384) { _ in .finished }
        #expect(end == .finished && session.peerFinished)
        #expect(!session.wantsInput && !session.isFinished)
        session.queryAnswered(now: .zero)
        #expect(session.enqueue(message(5)) == .queued)
        #expect(!session.isFinished)
        let framed = pendingOutput(session)
        #expect(framed == ClientSocket.frame(message(5)))
        session.wrote(framed.count - 1, now: .zero)
        #expect(!session.isFinished)
        session.wrote(1, now: .zero)
        #expect(session.isFinished)
    }

    @Test("a read lands after the buffered bytes, and only what it reports is kept")
    func receiveKeepsWhatWasRead() {
        var session = makeSession()
        let frame = ClientSocket.frame(message(6))
        session.received(Array(frame.prefix(2)))
        let result = session.receive(upTo: 16384) { buffer in
            #expect(buffer.count == 16384)
            buffer.copyBytes(from: frame.dropFirst(2) + [0xFF, 0xFF])
            return .received(frame.count - 2)
        }
        #expect(result == .received(frame.count - 2))
        #expect(session.receive(upTo: 16384) { _ in .wouldBlock } == .wouldBlock)
        #expect(session.nextQuery(now: .zero) == .message(message(6)))
        #expect(session.nextQuery(now: .zero) == .waiting)
        // The bytes past what the read reported were not kept: the next frame starts clean.
        session.received(ClientSocket.frame(message(8)))
        #expect(session.nextQuery(now: .zero) == .message(message(8)))
        #expect(!session.peerFinished)
    }
}
