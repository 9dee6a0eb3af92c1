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
    /// The daemon's version and git revision (``MamoriVersion``).
    case version
    /// Write the cache, with the identity of the settings that judged it, to a file (absolute path).
    case dumpCache(path: String)
    /// Load a file written by ``dumpCache(path:)``, if it was judged under the settings in force.
    case loadCache(path: String)
    /// Drop the entries judged bogus (bogus results, and data, keys and DS sets stored as bogus).
    case flushBogus
    /// Drop the negative answers (NXDOMAIN, NODATA) and the NSEC/NSEC3 records that synthesise them.
    case flushNegative
    /// Stop joining new queries to the resolutions in flight: the next query starts afresh.
    case flushRequests
    /// The resolutions in flight: question, age, waiting clients.
    case listRequests
    /// The forward zones in force.
    case forwardList
    /// Forward `zone` to `servers` (over DNS over TLS, authenticated by `tlsName`, when given),
    /// until the next reload or restart.
    case forwardAdd(DomainName, servers: [ServiceAddress], tlsName: String?)
    /// Stop forwarding `zone`, until the next reload or restart.
    case forwardRemove(DomainName)
    /// The configuration in force, defaults included, as YAML `mamorid --config` reads.
    case configShow

    /// Longest NTA lifetime accepted: RFC 7646 §3.3 wants them short-lived; a week, as BIND's cap.
    package static let maxNTASeconds: Int64 = 7 * 86400
    /// Most servers `forward add` takes: more than any forwarder list needs, a bound on one line.
    package static let maxForwardServers = 16
    /// The first words of every command, for the unknown-command message.
    static let commandWords =
        "status, stats, version, reload, flush, nta, anchors, lookup, dump-cache, load-cache, list, forward, config"

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
        func path(_ index: Int) throws(ControlError) -> String {
            guard index < words.count else { throw ControlError(.badUsage, "\(words[0]) needs a file path") }
            guard words[index].hasPrefix("/") else {
                throw ControlError(
                    .badArgument, "\(words[index]) is not an absolute path (the daemon has its own working directory)")
            }
            return words[index]
        }
        switch words.first {
        case "status":
            try noMore(1)
            self = .status
        case "version":
            try noMore(1)
            self = .version
        case "dump-cache":
            try noMore(2)
            self = .dumpCache(path: try path(1))
        case "load-cache":
            try noMore(2)
            self = .loadCache(path: try path(1))
        case "list":
            guard words.count > 1, words[1] == "requests" else { throw ControlError(.badUsage, "list takes requests") }
            try noMore(2)
            self = .listRequests
        case "config":
            guard words.count > 1, words[1] == "show" else { throw ControlError(.badUsage, "config takes show") }
            try noMore(2)
            self = .configShow
        case "forward":
            self = try Self.forward(words, name: name)
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
            case "bogus":
                try noMore(2)
                self = .flushBogus
            case "negative":
                try noMore(2)
                self = .flushNegative
            case "requests":
                try noMore(2)
                self = .flushRequests
            default:
                throw ControlError(
                    .badUsage, "flush takes all, name NAME, zone NAME, infra, bogus, negative or requests")
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
            throw ControlError(.unknownCommand, "unknown command \(other) (\(Self.commandWords))")
        }
    }

    /// `forward list`, `forward add NAME ADDR[,ADDR…] [tls-name=NAME]`, `forward remove NAME`.
    /// Addresses are `IP` or `IP@PORT`; the port is 853 with `tls-name` (RFC 7858 §3.1), else 53.
    private static func forward(
        _ words: [String], name: (Int) throws(ControlError) -> DomainName
    ) throws(ControlError) -> ControlCommand {
        let usage = "forward takes list, add NAME ADDR[,ADDR…] [tls-name=NAME] or remove NAME"
        switch words.count > 1 ? words[1] : "" {
        case "list" where words.count == 2:
            return .forwardList
        case "remove" where words.count == 3:
            return .forwardRemove(try name(2))
        case "add" where (4...5).contains(words.count):
            var tlsName: String? = nil
            if words.count == 5 {
                guard words[4].hasPrefix("tls-name="), words[4].count > "tls-name=".count else {
                    throw ControlError(.badUsage, "unexpected \(words[4]) (tls-name=NAME)")
                }
                tlsName = String(words[4].dropFirst("tls-name=".count))
            }
            let texts = words[3].split(separator: ",")
            guard (1...maxForwardServers).contains(texts.count) else {
                throw ControlError(.badArgument, "forward add takes 1–\(maxForwardServers) addresses")
            }
            var servers: [ServiceAddress] = []
            for text in texts {
                guard let address = ServiceAddress(text, defaultPort: tlsName == nil ? 53 : 853) else {
                    throw ControlError(.badArgument, "\(text) is not an address (IP or IP@PORT)")
                }
                servers.append(address)
            }
            return .forwardAdd(try name(2), servers: servers, tlsName: tlsName)
        default:
            throw ControlError(.badUsage, usage)
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
        case .version: "version"
        case .dumpCache(let path): "dump-cache \(path)"
        case .loadCache(let path): "load-cache \(path)"
        case .flushBogus: "flush bogus"
        case .flushNegative: "flush negative"
        case .flushRequests: "flush requests"
        case .listRequests: "list requests"
        case .forwardList: "forward list"
        case .forwardAdd(let zone, let servers, let tlsName):
            "forward add \(zone) \(servers.map(\.description).joined(separator: ","))"
                + (tlsName.map { " tls-name=\($0)" } ?? "")
        case .forwardRemove(let zone): "forward remove \(zone)"
        case .configShow: "config show"
        }
    }
}
