// Primary responsibilities: the control protocol's commands (Docs/control.md) — one definition for
// the daemon, which parses request lines into them, and for `mamorictl`, which writes them.

import DNSWire

/// A command of the control protocol (Docs/control.md).
package enum ControlCommand: Hashable, Sendable {
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
    package static let maxNTASeconds: Int64 = 7 * 86400

    /// Parses one request line: words separated by spaces.
    /// - Throws: a message naming what is wrong, sent back as `error: …`.
    package init(line: String) throws(ControlError) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func name(_ index: Int) throws(ControlError) -> DomainName {
            guard index < words.count else {
                throw ControlError(.badUsage, "\(words[0 ..< index].joined(separator: " ")) needs a domain name")
            }
            do {
                return try DomainName(words[index])
            } catch {
                throw ControlError(.badArgument, "\(words[index]) is not a domain name: \(error)")
            }
        }
        func noMore(_ count: Int) throws(ControlError) {
            guard words.count <= count else {
                throw ControlError(.badUsage, "unexpected \(words[count...].joined(separator: " "))")
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
            default: throw ControlError(.badUsage, "flush takes all, name NAME, zone NAME or infra")
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
                        throw ControlError(
                            .badArgument, "the NTA lifetime is seconds, 1–\(Self.maxNTASeconds), not \(words[3])")
                    }
                    seconds = value
                }
                self = .ntaAdd(try name(2), seconds: seconds)
            case "remove":
                try noMore(3)
                self = .ntaRemove(try name(2))
            default: throw ControlError(.badUsage, "nta takes list, add NAME [SECONDS] or remove NAME")
            }
        case "lookup":
            // lookup NAME [TYPE] [cd]
            var rest = Array(words.dropFirst(2))
            let checkingDisabled = rest.last?.lowercased() == "cd"
            if checkingDisabled { rest.removeLast() }
            guard rest.count <= 1 else { throw ControlError(.badUsage, "lookup takes NAME [TYPE] [cd]") }
            var type = RRType.a
            if let text = rest.first {
                guard let parsed = RRType(mnemonic: text) else {
                    throw ControlError(.badArgument, "\(text) is not a record type")
                }
                type = parsed
            }
            self = .lookup(try name(1), type, checkingDisabled: checkingDisabled)
        case nil: throw ControlError(.emptyCommand, "empty command")
        case let other?:
            throw ControlError(
                .unknownCommand, "unknown command \(other) (status, stats, reload, flush, nta, anchors, lookup)")
        }
    }

    /// The request line for this command, as ``init(line:)`` reads it (without the newline).
    package var line: String {
        switch self {
        case .status: "status"
        case .stats: "stats"
        case .reload: "reload"
        case .flushAll: "flush all"
        case .flushName(let name): "flush name \(name)"
        case .flushZone(let zone): "flush zone \(zone)"
        case .flushInfrastructure: "flush infra"
        case .ntaList: "nta list"
        case .ntaAdd(let name, let seconds): "nta add \(name)" + (seconds.map { " \($0)" } ?? "")
        case .ntaRemove(let name): "nta remove \(name)"
        case .anchors: "anchors"
        case .lookup(let name, let type, let checkingDisabled):
            "lookup \(name) \(type)" + (checkingDisabled ? " cd" : "")
        }
    }
}
