// Primary responsibilities: the `control.socket` server — one command line in, `ok` or `error: …`
// and the result's lines out (the words are MamoriControl's, shared with `mamorictl`), over a unix
// stream socket that only root and the socket's group may open. The daemon does the work (ControlHandler).

import DNSWire
import Logging
import MamoriControl

#if canImport(Glibc)
    import Glibc
#endif

/// Carries out control commands; the daemon implements it.
package protocol ControlHandler: Sendable {
    /// Does `command` and says how it went. Runs on the control socket's queue, one at a time.
    func perform(_ command: ControlCommand) -> ControlReply
}

/// The unix socket `mamorictl` talks to.
///
/// The socket file is made with mode 0660 (owner and group only: flushing and NTAs are an
/// operator's acts) and removed at stop. A stale file left by a crash is replaced; a path where
/// another daemon still listens, or that is not a socket, is refused.
package final class ControlSocket: Sendable {
    /// Longest request line.
    static let maxLineBytes = 4096

    /// The socket's path.
    package let path: String
    /// The connections.
    private let server: RequestServer

    /// Binds `path`; call ``start()`` to serve.
    /// - Throws: ``SocketError`` naming the path when it cannot be used.
    package init(path: String, handler: any ControlHandler, logger: Logger) throws(SocketError) {
        let descriptor = try Sockets.openUnix(path)
        self.path = path
        server = RequestServer(
            descriptor: descriptor, label: "mamori.control", requestTimeout: .seconds(5), logger: logger
        ) {
            request in Self.response(to: request, handler: handler)
        }
    }

    /// Starts accepting.
    package func start() { server.start() }

    /// Removes the socket file and stops accepting. Does not wait: a command being carried out
    /// (a reload) may itself be waiting for the caller, the daemon's stopping queue.
    package func stop() {
        unlink(path)
        server.stop(waiting: false)
    }

    /// The reply to a request, once its line is complete.
    package static func response(to request: [UInt8], handler: any ControlHandler) -> [UInt8]? {
        guard let end = request.firstIndex(of: UInt8(ascii: "\n")) else {
            return request.count > maxLineBytes ? ControlReply.error("request line too long").rendered : nil
        }
        guard let line = String(validating: request[..<end], as: UTF8.self) else {
            return ControlReply.error("the request is not UTF-8").rendered
        }
        do {
            let command = try ControlCommand(line: line.trimmingSuffix(while: { $0 == "\r" }))
            return handler.perform(command).rendered
        } catch {
            return ControlReply.error(error.description).rendered
        }
    }
}

extension String {
    /// The string without trailing characters matching `predicate`.
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var copy = self
        while let last = copy.last, predicate(last) { copy.removeLast() }
        return copy
    }
}
