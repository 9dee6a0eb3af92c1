// Primary responsibilities: sockets bound to 127.0.0.1 at a port the kernel picks, for tests that
// play a server (an upstream, a forwarder, a datagram sink).

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a UDP or TCP socket bound to 127.0.0.1 at an ephemeral port.
/// - Returns: the descriptor (the caller closes it) and the port.
package func loopbackSocket(stream: Bool) -> (descriptor: Int32, port: UInt16) {
    let descriptor = socket(AF_INET, Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return (descriptor, UInt16(bigEndian: address.sin_port))
}

/// Opens a TCP socket listening on 127.0.0.1 at an ephemeral port.
/// - Returns: the descriptor (the caller closes it) and the port.
package func loopbackListener(backlog: Int32 = 8) -> (descriptor: Int32, port: UInt16) {
    let bound = loopbackSocket(stream: true)
    listen(bound.descriptor, backlog)
    return bound
}
