// Primary responsibilities: the `control.socket` protocol — one command line in, `ok` or
// `error: …` and the result's lines out, over a unix stream socket that only root and the socket's
// group may open — and the command set `mamorictl` speaks. The daemon does the work (ControlHandler).

import DNSWire
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A command of the control protocol (Docs/control.md).
public enum ControlCommand: Hashable, Sendable {
    /// What the daemon is doing: addresses, uptime, cache, anchors.
    case status
    /// Counters and sizes as `key value` lines.
    case stats
    /// Re-read the configuration file, as SIGHUP does, and say whether it was taken.
    case reload
    /// Drop every cached entry (RRsets, negative answers, keys, DS, bogus results, packets).
    case flushAll
    /// Drop every entry owned by this name.
    case flushName(DomainName)
    /// Drop every entry at or below this name, keys and DS results included.
    case flushZone(DomainName)
    /// Forget what was learnt about upstream servers (RTT, EDNS, lameness).
    case flushInfrastructure
    /// The negative trust anchors in force.
    case ntaList
    /// Add a negative trust anchor (RFC 7646), for `seconds` or until removed.
    case ntaAdd(DomainName, seconds: Int64?)
    /// Remove a negative trust anchor.
    case ntaRemove(DomainName)
    /// The trust anchors and, for managed ones, their RFC 5011 key states.
    case anchors
    /// Resolve a question as a client would (CD as given) and explain the verdict step by step.
    case lookup(DomainName, RRType, checkingDisabled: Bool)

    /// Longest NTA lifetime accepted: RFC 7646 §3.3 wants them short-lived; a week, as BIND's cap.
    public static let maxNTASeconds: Int64 = 7 * 86400

    /// Parses one request line: words separated by spaces.
    /// - Throws: a message naming what is wrong, sent back as `error: …`.
    public init(line: String) throws(ControlError) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func name(_ index: Int) throws(ControlError) -> DomainName {
            guard index < words.count else {
                throw ControlError("\(words[0 ..< index].joined(separator: " ")) needs a domain name")
            }
            do {
                return try DomainName(words[index])
            } catch {
                throw ControlError("\(words[index]) is not a domain name: \(error)")
            }
        }
        func noMore(_ count: Int) throws(ControlError) {
            guard words.count <= count else {
                throw ControlError("unexpected \(words[count...].joined(separator: " "))")
            }
        }
        switch words.first {
        case "status":
            try noMore(1)
            self = .status
        case "stats":
            try noMore(1)
            self = .stats
        case "reload":
            try noMore(1)
            self = .reload
        case "anchors":
            try noMore(1)
            self = .anchors
        case "flush":
            switch words.count > 1 ? words[1] : "" {
            case "all":
                try noMore(2)
                self = .flushAll
            case "name":
                try noMore(3)
                self = .flushName(try name(2))
            case "zone":
                try noMore(3)
                self = .flushZone(try name(2))
            case "infra":
                try noMore(2)
                self = .flushInfrastructure
            default: throw ControlError("flush takes all, name NAME, zone NAME or infra")
            }
        case "nta":
            switch words.count > 1 ? words[1] : "" {
            case "list":
                try noMore(2)
                self = .ntaList
            case "add":
                try noMore(4)
                var seconds: Int64? = nil
                if words.count == 4 {
                    guard let value = Int64(words[3]), (1...Self.maxNTASeconds).contains(value) else {
                        throw ControlError("the NTA lifetime is seconds, 1–\(Self.maxNTASeconds), not \(words[3])")
                    }
                    seconds = value
                }
                self = .ntaAdd(try name(2), seconds: seconds)
            case "remove":
                try noMore(3)
                self = .ntaRemove(try name(2))
            default: throw ControlError("nta takes list, add NAME [SECONDS] or remove NAME")
            }
        case "lookup":
            // lookup NAME [TYPE] [cd]
            var rest = Array(words.dropFirst(2))
            let checkingDisabled = rest.last?.lowercased() == "cd"
            if checkingDisabled { rest.removeLast() }
            guard rest.count <= 1 else { throw ControlError("lookup takes NAME [TYPE] [cd]") }
            var type = RRType.a
            if let text = rest.first {
                guard let parsed = RRType(mnemonic: text) else { throw ControlError("\(text) is not a record type") }
                type = parsed
            }
            self = .lookup(try name(1), type, checkingDisabled: checkingDisabled)
        case nil: throw ControlError("empty command")
        case let other?:
            throw ControlError("unknown command \(other) (status, stats, reload, flush, nta, anchors, lookup)")
        }
    }
}

/// Why a control request failed, as sent after `error: `.
public struct ControlError: Error, Hashable, CustomStringConvertible {
    /// The message.
    public var description: String

    /// Wraps a message.
    public init(_ description: String) { self.description = description }
}

/// The answer to a command: `ok` and lines, or an error.
public struct ControlReply: Hashable, Sendable {
    /// True for `ok`.
    public var succeeded: Bool
    /// The result (for `ok`) or the reason (for an error, one line).
    public var lines: [String]

    /// A success with `lines`.
    public static func ok(_ lines: [String] = []) -> ControlReply { ControlReply(succeeded: true, lines: lines) }

    /// A failure saying `reason`.
    public static func error(_ reason: String) -> ControlReply { ControlReply(succeeded: false, lines: [reason]) }

    /// The bytes sent: `ok\n` and the lines, or `error: REASON\n`. Newlines inside a line are
    /// replaced, so a line is always one line.
    var rendered: [UInt8] {
        let clean = lines.map { $0.replacing("\n", with: " ") }
        let text = succeeded ? (["ok"] + clean).joined(separator: "\n") : "error: " + clean.joined(separator: " ")
        return Array((text + "\n").utf8)
    }
}

/// Carries out control commands; the daemon implements it.
public protocol ControlHandler: Sendable {
    /// Does `command` and says how it went. Runs on the control socket's queue, one at a time.
    func perform(_ command: ControlCommand) -> ControlReply
}

/// The unix socket `mamorictl` talks to.
///
/// The socket file is made with mode 0660 (owner and group only: flushing and NTAs are an
/// operator's acts) and removed at stop. A stale file left by a crash is replaced; a path where
/// another daemon still listens, or that is not a socket, is refused.
public final class ControlSocket: Sendable {
    /// Longest request line.
    static let maxLineBytes = 4096

    /// The socket's path.
    public let path: String
    /// The connections.
    private let server: RequestServer

    /// Binds `path`; call ``start()`` to serve.
    /// - Throws: ``SocketError`` naming the path when it cannot be used.
    public init(path: String, handler: any ControlHandler, logger: Logger) throws(SocketError) {
        let descriptor = try Sockets.openUnix(path)
        self.path = path
        server = RequestServer(
            descriptor: descriptor, label: "mamori.control", requestTimeout: .seconds(5), logger: logger
        ) {
            request in Self.response(to: request, handler: handler)
        }
    }

    /// Starts accepting.
    public func start() { server.start() }

    /// Removes the socket file and stops accepting. Does not wait: a command being carried out
    /// (a reload) may itself be waiting for the caller, the daemon's stopping queue.
    public func stop() {
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
