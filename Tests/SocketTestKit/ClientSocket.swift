// Primary responsibilities: a blocking loopback client for the socket tests — UDP, TCP (with
// RFC 7766 framing) and unix stream — with a receive timeout, so no test can hang.

import DNSWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking client socket with a receive timeout.
package final class ClientSocket {
    /// The descriptor.
    package let descriptor: Int32

    /// Opens a UDP or TCP socket connected to `address`, with a 5 s receive timeout.
    package init(to address: ServiceAddress, stream: Bool) throws {
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
    package init(unixPath path: String) throws {
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
    package func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends one TCP frame (2-octet length, RFC 7766 §8).
    package func sendFrame(_ bytes: [UInt8]) { send(Self.frame(bytes)) }

    /// A message with its 2-octet length prefix.
    package static func frame(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    /// Receives one datagram, nil on timeout.
    package func receiveDatagram() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65535)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer.prefix(count)) : nil
    }

    /// Reads exactly `count` stream bytes; nil on end of stream or timeout.
    package func read(_ count: Int) -> [UInt8]? {
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
    package func readFrame() -> [UInt8]? {
        guard let prefix = read(2) else { return nil }
        return read(Int(prefix[0]) << 8 | Int(prefix[1]))
    }

    /// Reads until the peer closes the connection (or the timeout), as text.
    package func readToEnd() -> String {
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
    package func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        let got = recv(descriptor, &byte, 1, 0)
        return got == 0 || (got < 0 && errno == ECONNRESET)
    }
}
