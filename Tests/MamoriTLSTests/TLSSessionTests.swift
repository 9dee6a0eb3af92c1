// Primary responsibilities: TLS sessions end to end over a socket pair — handshake, data both ways,
// ALPN, authentication by name and by SPKI pin (RFC 7858 §4.2), resumption, bad files at start.

import DNSWire
import Foundation
import MamoriTLS
import SocketTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A server and a client session on the two ends of a non-blocking socket pair.
private struct Pair {
    let server: TLSSession
    let client: TLSSession
    let descriptors: (Int32, Int32)

    init(
        server context: TLSServerContext, client clientContext: TLSClientContext, authentication: TLSAuthentication,
        resuming: TLSResumption? = nil, buffered: Bool = false
    ) throws {
        var ends: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        descriptors = (ends[0], ends[1])
        server = try TLSSession(accepting: ends[0], context: context, buffered: buffered)
        client = try TLSSession(connecting: ends[1], context: clientContext, authentication: authentication)
        if let resuming { client.resume(resuming) }
    }

    /// Steps both handshakes until both are done or one fails (bounded: a handshake is a few flights).
    func handshake() -> (server: TLSProgress, client: TLSProgress) {
        var server = TLSProgress.wantRead
        var client = TLSProgress.wantRead
        for _ in 0..<20 {
            if client != .done(0) { client = self.client.handshake() }
            if server != .done(0) { server = self.server.handshake() }
            if case .failed = client { break }
            if case .failed = server { break }
            if client == .done(0) && server == .done(0) { break }
        }
        return (server, client)
    }

    /// Sends `bytes` from `from` and reads them at `to`.
    func transfer(_ bytes: [UInt8], from: TLSSession, to: TLSSession) -> [UInt8] {
        let written = bytes.withUnsafeBytes { from.write($0) }
        #expect(written == .done(bytes.count))
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<10 {
            if case .done(let count) = buffer.withUnsafeMutableBytes({ to.read(into: $0) }) {
                return Array(buffer.prefix(count))
            }
        }
        return []
    }

    func close() {
        server.shutdown()
        client.shutdown()
        Glibc.close(descriptors.0)
        Glibc.close(descriptors.1)
    }
}

@Suite struct TLSSessionTests {
    let files: TestCertificates

    init() throws { files = try TestCertificates() }

    @Test func handshakeDataAndALPN() throws {
        defer { files.remove() }
        let server = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        let client = try TLSClientContext(caFile: files.caFile)
        let pair = try Pair(server: server, client: client, authentication: .init(name: TestCertificates.serverName))
        defer { pair.close() }
        let result = pair.handshake()
        #expect(result.server == .done(0) && result.client == .done(0))
        #expect(pair.server.applicationProtocol == "dot" && pair.client.applicationProtocol == "dot")
        #expect(pair.client.authenticationFailure(.init(name: TestCertificates.serverName)) == nil)
        #expect(pair.transfer([0, 3, 1, 2, 3], from: pair.client, to: pair.server) == [0, 3, 1, 2, 3])
        #expect(pair.transfer([9, 8, 7], from: pair.server, to: pair.client) == [9, 8, 7])
        #expect(!pair.server.isResumed)
    }

    @Test func aBufferedServerSendsOnlyWhenFlushed() throws {
        defer { files.remove() }
        let server = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        let client = try TLSClientContext(caFile: files.caFile)
        let pair = try Pair(
            server: server, client: client, authentication: .init(name: TestCertificates.serverName), buffered: true)
        defer { pair.close() }
        let result = pair.handshake()
        #expect(result.server == .done(0) && result.client == .done(0))
        // Two records into the buffer: nothing reaches the client until the flush.
        #expect([UInt8]([1, 2]).withUnsafeBytes { pair.server.write($0) } == .done(2))
        #expect([UInt8]([3]).withUnsafeBytes { pair.server.write($0) } == .done(1))
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { pair.client.read(into: $0) } == .wantRead)
        #expect(pair.server.flush() == .done(0))
        var received: [UInt8] = []
        for _ in 0..<4 where received.count < 3 {
            if case .done(let count) = buffer.withUnsafeMutableBytes({ pair.client.read(into: $0) }) {
                received += buffer.prefix(count)
            }
        }
        #expect(received == [1, 2, 3])
    }

    @Test func wrongNameFailsTheHandshake() throws {
        defer { files.remove() }
        let server = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        let client = try TLSClientContext(caFile: files.caFile)
        let pair = try Pair(server: server, client: client, authentication: .init(name: "other.test"))
        defer { pair.close() }
        guard case .failed(let reason) = pair.handshake().client else {
            Issue.record("a certificate for another name was accepted")
            return
        }
        #expect(reason.contains("certificate verify failed"))
    }

    @Test func pinsAreChecked() throws {
        defer { files.remove() }
        let server = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        // Pins only: the CA bundle is not asked (an empty default bundle would not trust the test CA).
        let client = try TLSClientContext()
        let wrong = TLSAuthentication(name: nil, pins: [[UInt8](repeating: 7, count: 32)])
        let pair = try Pair(server: server, client: client, authentication: wrong)
        defer { pair.close() }
        #expect(pair.handshake().client == .done(0))
        #expect(pair.client.authenticationFailure(wrong) == "the server's public key matches no configured pin")
        let digest = try #require(pair.client.peerPublicKeyDigest)
        #expect(digest.count == 32)
        #expect(pair.client.authenticationFailure(.init(name: nil, pins: [digest])) == nil)
        // The digest is OpenSSL's own: `openssl pkey -pubout -outform der | openssl dgst -sha256`.
        #expect(digest == (try files.serverKeyPin()))
    }

    @Test func sessionsResumeAcrossAReload() throws {
        defer { files.remove() }
        let first = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"])
        let client = try TLSClientContext(caFile: files.caFile)
        let authentication = TLSAuthentication(name: TestCertificates.serverName)
        let pair = try Pair(server: first, client: client, authentication: authentication)
        #expect(pair.handshake().client == .done(0))
        // TLS 1.3 tickets come after the handshake: reading data takes them in.
        _ = pair.transfer([1], from: pair.server, to: pair.client)
        let ticket = try #require(pair.client.resumption)
        pair.close()

        // The reloaded context keeps the ticket keys, so the client resumes.
        let reloaded = try TLSServerContext(
            certificateFile: files.certificateFile, keyFile: files.keyFile, alpn: ["dot"], ticketKeysFrom: first)
        let again = try Pair(server: reloaded, client: client, authentication: authentication, resuming: ticket)
        defer { again.close() }
        #expect(again.handshake().client == .done(0))
        #expect(again.server.isResumed && again.client.isResumed)
    }

    @Test func badFilesAreNamed() throws {
        defer { files.remove() }
        #expect(throws: TLSError(.certificate, "")) {
            try TLSServerContext(certificateFile: files.folder + "/missing.pem", keyFile: files.keyFile, alpn: [])
        }
        do {
            _ = try TLSServerContext(certificateFile: files.certificateFile, keyFile: files.otherKeyFile, alpn: [])
            Issue.record("a key that does not belong to the certificate was accepted")
        } catch {
            #expect(error.code == .privateKey)
            #expect(error.reason.contains(files.otherKeyFile))
        }
    }

}
