// Primary responsibilities: taking the sockets systemd passes (sd_listen_fds(3), mamori.socket's
// ListenDatagram=/ListenStream=): recognising UDP and listening TCP ones and making them
// non-blocking; enabling packet info on wildcard UDP sockets.

import CMamoriNet
import CSystemd
import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// A socket received from the service manager.
package struct ActivatedSocket: Sendable {
    /// The file descriptor.
    package var descriptor: Int32
    /// True for a listening TCP socket, false for UDP.
    package var isStream: Bool
    /// Where it is bound.
    package var localAddress: ServiceAddress
    /// The name from FileDescriptorName= (or "unknown").
    package var name: String
}

/// Reads the sockets passed by socket activation.
package enum SocketActivation {
    /// Takes every passed socket; unsets LISTEN_FDS so children do not inherit them.
    /// - Returns: the UDP and TCP sockets (empty when not socket-activated).
    /// - Throws: ``SocketError`` for a passed descriptor that is neither (e.g. a unix socket),
    ///   since serving only part of what the unit asked for would surprise the operator.
    package static func takeSockets() throws(SocketError) -> [ActivatedSocket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let count = sd_listen_fds_with_names(1, &names)
        defer {
            if let names {
                for index in 0..<max(Int(count), 0) { free(names[index]) }
                free(names)
            }
        }
        guard count > 0 else { return [] }
        var sockets: [ActivatedSocket] = []
        for index in 0..<Int(count) {
            let descriptor = CSystemd_listenFDsStart() + Int32(index)
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            let isDatagram = sd_is_socket(descriptor, AF_UNSPEC, Int32(SOCK_DGRAM.rawValue), -1) > 0
            let isStream = sd_is_socket(descriptor, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0
            guard isDatagram || isStream, let local = Sockets.localAddress(descriptor) else {
                throw SocketError("use passed descriptor", "\(descriptor) (\(name))", code: EINVAL)
            }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            if isDatagram && local.host.isUnspecified {
                _ = CMamoriNet_enablePacketInfo(descriptor, local.host.isIPv6 ? AF_INET6 : AF_INET)
            }
            sockets.append(ActivatedSocket(descriptor: descriptor, isStream: isStream, localAddress: local, name: name))
        }
        return sockets
    }
}
