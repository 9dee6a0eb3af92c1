// Primary responsibilities: opening, configuring and binding listening sockets, and converting
// between ServiceAddress and sockaddr_storage. Errors name the address and say what to check.

import CMamoriNet
import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// A socket call that failed, with the address it was for and the system's reason.
package struct SocketError: Error, CustomStringConvertible {
    /// What was being done, e.g. "bind UDP".
    package var operation: String
    /// The address concerned.
    package var address: String
    /// The errno value.
    package var code: Int32

    /// Creates an error from the current errno.
    init(_ operation: String, _ address: String, code: Int32 = errno) {
        self.operation = operation
        self.address = address
        self.code = code
    }

    /// `cannot bind UDP 127.0.0.1@53: Address already in use (…hint…)`.
    package var description: String {
        var text = "cannot \(operation) \(address): \(String(cString: strerror(code)))"
        switch code {
        case EADDRINUSE:
            text += " (another program is listening there: `ss -lunpt` shows which)"
        case EACCES:
            text +=
                " (ports below 1024 need root or CAP_NET_BIND_SERVICE; under systemd, the shipped units pass them"
                + " from mamori.socket, mamori-dot.socket and mamori-doh.socket instead)"
        case EADDRNOTAVAIL:
            text += " (no interface has this address)"
        default:
            break
        }
        return text
    }
}

/// Socket helpers shared by the client listeners (ResolverServer), the upstream transport, the
/// control socket and the metrics endpoint.
package enum Sockets {
    /// The sockaddr for an address and port.
    static func sockaddr(for address: ServiceAddress) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        switch address.host {
        case .v4(let value):
            withUnsafeMutableBytes(of: &storage) { raw in
                let pointer = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                pointer.pointee.sin_family = sa_family_t(AF_INET)
                pointer.pointee.sin_port = address.port.bigEndian
                pointer.pointee.sin_addr.s_addr = value.bigEndian
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .v6:
            let bytes = address.host.bytes
            withUnsafeMutableBytes(of: &storage) { raw in
                let pointer = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                pointer.pointee.sin6_family = sa_family_t(AF_INET6)
                pointer.pointee.sin6_port = address.port.bigEndian
                withUnsafeMutableBytes(of: &pointer.pointee.sin6_addr) { target in
                    target.copyBytes(from: bytes)
                }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }

    /// The address and port in a sockaddr, or nil for other families.
    package static func serviceAddress(_ storage: sockaddr_storage) -> ServiceAddress? {
        var copy = storage
        return withUnsafeBytes(of: &copy) { raw -> ServiceAddress? in
            switch Int32(storage.ss_family) {
            case AF_INET:
                let value = raw.load(as: sockaddr_in.self)
                return ServiceAddress(
                    host: .v4(UInt32(bigEndian: value.sin_addr.s_addr)), port: UInt16(bigEndian: value.sin_port))
            case AF_INET6:
                var value = raw.load(as: sockaddr_in6.self)
                let host = withUnsafeBytes(of: &value.sin6_addr) { IPAddress(ipv6Bytes: $0) }
                return ServiceAddress(host: host, port: UInt16(bigEndian: value.sin6_port))
            default:
                return nil
            }
        }
    }

    /// The local address a socket is bound to.
    package static func localAddress(_ descriptor: Int32) -> ServiceAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return result == 0 ? serviceAddress(storage) : nil
    }

    /// Sets an integer socket option, ignoring failures the caller can live with.
    @discardableResult
    static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Bool {
        var value = value
        return setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Opens a non-blocking, close-on-exec socket bound to `address`.
    /// - Parameters:
    ///   - stream: TCP when true (then listening), UDP otherwise.
    ///   - reusePort: SO_REUSEPORT, so several sockets share the address, each on its own queue.
    ///   - probeOnly: bind only (no listen, no packet info), to test that the address is free.
    /// - Throws: ``SocketError`` naming the address.
    package static func open(
        _ address: ServiceAddress, stream: Bool, reusePort: Bool, probeOnly: Bool = false
    )
        throws(SocketError) -> Int32
    {
        let family = address.host.isIPv6 ? AF_INET6 : AF_INET
        let kind = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        let descriptor = socket(family, kind | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let label = "\(stream ? "TCP" : "UDP") \(address)"
        guard descriptor >= 0 else { throw SocketError("open socket for", label) }
        // TCP: restart while old connections sit in TIME_WAIT. Not for UDP, where it would let two
        // processes share the port without either noticing.
        if stream { setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1) }
        if reusePort { setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1) }
        // One family per socket: an IPv6 wildcard must not swallow IPv4 (listed separately).
        if family == AF_INET6 { setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        if !stream {
            // Room for bursts between two drains; the kernel caps it at net.core.rmem_max.
            setOption(descriptor, SOL_SOCKET, SO_RCVBUF, 4 << 20)
            if !probeOnly && address.host.isUnspecified && CMamoriNet_enablePacketInfo(descriptor, family) != 0 {
                let error = SocketError("enable packet info on", label)
                close(descriptor)
                throw error
            }
        }
        var (storage, length) = sockaddr(for: address)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let error = SocketError("bind", label)
            close(descriptor)
            throw error
        }
        if stream && !probeOnly && listen(descriptor, 256) != 0 {
            let error = SocketError("listen on", label)
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// A listening unix stream socket at `path`, mode 0660, non-blocking.
    ///
    /// A socket file nobody listens on (left by a crash) is replaced; a live one (another daemon)
    /// fails with EADDRINUSE, and a path that is not a socket with EEXIST: neither is removed.
    static func openUnix(_ path: String) throws(SocketError) -> Int32 {
        let label = "unix socket \(path)"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw SocketError("use", label, code: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        func connectable() -> Bool {
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(probe) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { connect(probe, $0, length) == 0 }
            }
        }
        var existing = stat()
        if lstat(path, &existing) == 0 {
            guard existing.st_mode & S_IFMT == S_IFSOCK else { throw SocketError("replace", label, code: EEXIST) }
            guard !connectable() else { throw SocketError("bind", label, code: EADDRINUSE) }
            unlink(path)
        }
        let descriptor = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("open", label) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let error = SocketError("bind", label)
            close(descriptor)
            throw error
        }
        // Owner and group only, set before listen: until listen, every connect is refused, so no
        // one can get in under the mode bind left (not umask, which is process-wide).
        guard chmod(path, 0o660) == 0 else {
            let error = SocketError("set the mode of", label)
            close(descriptor)
            unlink(path)
            throw error
        }
        guard listen(descriptor, 16) == 0 else {
            let error = SocketError("listen on", label)
            close(descriptor)
            unlink(path)
            throw error
        }
        return descriptor
    }

    /// Fails with EADDRINUSE when anything already holds `address`, even with SO_REUSEPORT under
    /// the same user, which would otherwise let a second daemon share the port silently: a socket
    /// without SO_REUSEPORT/SO_REUSEADDR is bound, then closed.
    package static func checkAvailable(_ address: ServiceAddress, stream: Bool) throws(SocketError) {
        let probe = try open(address, stream: stream, reusePort: false, probeOnly: true)
        close(probe)
    }
}
