// Primary responsibilities: walk the composed YAML node tree (Yams.compose keeps line and column
// marks) into a typed Configuration, checking every key and value, collecting every problem as a
// diagnostic that names file, line, column and key path. Unknown keys are errors.

import DNSSEC
import DNSWire
import Resolver
import Yams

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a YAML document into a ``Configuration``, collecting problems rather than stopping at
/// the first, so `mamorid --check-config` lists them all at once.
struct ConfigurationDecoder {
    /// The file name shown in diagnostics.
    let file: String
    /// The folder relative paths are resolved against: the configuration file's folder.
    let baseDirectory: String
    /// The problems found so far, in file order.
    private(set) var diagnostics: [ConfigurationDiagnostic] = []
    /// The item of each stub and forward zone by key path, for the consistency check's line.
    private var zoneItems: [String: Node] = [:]

    /// Creates a decoder for text read from `file`.
    init(file: String, baseDirectory: String) {
        self.file = file
        self.baseDirectory = baseDirectory
    }

    // MARK: - Entry point

    /// Composes and decodes `text`; an empty document gives the defaults.
    mutating func decode(text: String) -> Configuration {
        var configuration = Configuration()
        configuration.sourceFile = file
        let keyProblems = RepeatedKeys.problems(in: text)
        guard keyProblems.isEmpty else {
            for problem in keyProblems {
                report(line: problem.line, column: problem.column, path: problem.path, problem.message)
            }
            return configuration
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            report(yamlError: error)
            return configuration
        } catch {
            report(line: 0, column: 0, path: "", "\(error)")
            return configuration
        }
        guard let root else { return configuration }
        if case .scalar = root, root.tag.rawValue == Tag.Name.null.rawValue { return configuration }
        for entry in entries(of: root, path: "") {
            decodeTopLevel(entry, into: &configuration)
        }
        return configuration
    }

    /// One top-level key.
    private mutating func decodeTopLevel(_ entry: Entry, into configuration: inout Configuration) {
        switch entry.name {
        case "listen":
            guard let items = list(entry) else { return }
            var addresses: [ServiceAddress] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(entry.path)[\(index)]"
                if let address = serviceAddress(item, at: item, path: itemPath, defaultPort: 53) {
                    addresses.append(address)
                }
            }
            if items.isEmpty {
                report(entry.key, entry.path, "expected at least one address (use socket activation to listen on none)")
            } else {
                configuration.listen = addresses
            }
        case "listen-tls":
            if let addresses = addresses(entry, defaultPort: 853) { configuration.listenTLS = addresses }
        case "listen-https":
            if let addresses = addresses(entry, defaultPort: 443) { configuration.listenHTTPS = addresses }
        case "tls":
            for child in entries(of: entry.value, path: entry.path) { decodeTLS(child, into: &configuration.tls) }
        case "https":
            for child in entries(of: entry.value, path: entry.path) {
                guard child.name == "path" else {
                    unknownKey(child)
                    continue
                }
                guard let text = string(child) else { continue }
                // An absolute path without a query or fragment: the request's :path is matched exactly.
                if text.hasPrefix("/") && !text.contains(where: { $0 == "?" || $0 == "#" || $0 == " " }) {
                    configuration.https.path = text
                } else {
                    report(child.key, child.path, "expected an absolute path such as /dns-query, got \"\(text)\"")
                }
            }
        case "threads":
            if case .scalar(let scalar) = entry.value, scalar.string == "auto" {
                configuration.threads = .auto
            } else if let count = integer(entry, range: 1...ThreadCount.maximum, expected: "auto or a number") {
                configuration.threads = .fixed(count)
            }
        case "access-control":
            guard let items = list(entry) else { return }
            var rules: [AccessRule] = []
            for (index, item) in items.enumerated() {
                if let rule = accessRule(item, path: "\(entry.path)[\(index)]") { rules.append(rule) }
            }
            configuration.accessControl = rules
        case "resolution":
            var localhost: Bool? = nil
            for child in entries(of: entry.value, path: entry.path) {
                if child.name == "do-not-query-localhost" {
                    if let value = bool(child) { localhost = value }
                    continue
                }
                decodeResolution(child, into: &configuration.resolution)
            }
            configuration.resolution.doNotQueryLocalhost = ResolutionSection.doNotQueryLocalhost(
                given: localhost, allowPrivateUpstreams: configuration.resolution.allowPrivateUpstreams)
        case "dnssec":
            for child in entries(of: entry.value, path: entry.path) { decodeDNSSEC(child, into: &configuration.dnssec) }
        case "cache":
            for child in entries(of: entry.value, path: entry.path) { decodeCache(child, into: &configuration.cache) }
        case "logging":
            for child in entries(of: entry.value, path: entry.path) {
                decodeLogging(child, into: &configuration.logging)
            }
        case "control":
            for child in entries(of: entry.value, path: entry.path) {
                guard child.name == "socket" else {
                    unknownKey(child)
                    continue
                }
                if isDisabled(child.value) {
                    configuration.control.socket = nil
                } else if let text = string(child) {
                    configuration.control.socket = resolvePath(text)
                }
            }
        case "metrics":
            for child in entries(of: entry.value, path: entry.path) {
                guard child.name == "listen" else {
                    unknownKey(child)
                    continue
                }
                if isDisabled(child.value) {
                    configuration.metrics.listen = nil
                } else {
                    configuration.metrics.listen = serviceAddress(
                        child.value, at: child.key, path: child.path, defaultPort: 9153)
                }
            }
        case "dnstap":
            for child in entries(of: entry.value, path: entry.path) { decodeDnstap(child, into: &configuration.dnstap) }
        case "server":
            for child in entries(of: entry.value, path: entry.path) { decodeServer(child, into: &configuration.server) }
        case "rebinding-protection":
            decodeRebinding(entry, into: &configuration.rebindingProtection)
        case "dns64":
            configuration.dns64 = decodeDNS64(entry)
        case "state-directory":
            if let text = string(entry) { configuration.stateDirectory = resolvePath(text) }
        case "blocklists":
            configuration.blocklists = blocklists(entry)
        case "local":
            decodeLocal(entry, into: &configuration.local)
        default:
            unknownKey(entry)
        }
    }

    // MARK: - Sections

    /// One key of `resolution`.
    private mutating func decodeResolution(_ entry: Entry, into resolution: inout ResolutionSection) {
        switch entry.name {
        case "root-hints":
            guard let text = string(entry) else { return }
            if text == "built-in" {
                resolution.rootHints = .builtIn
            } else if let path = readablePath(text, entry) {
                resolution.rootHints = .file(path)
            }
        case "allow-private-upstreams":
            if let value = bool(entry) { resolution.allowPrivateUpstreams = value }
        case "ipv4":
            if let value = bool(entry) { resolution.ipv4 = value }
        case "ipv6":
            if let value = bool(entry) { resolution.ipv6 = value }
        case "qname-minimisation":
            // YAML 1.1 reads a bare `off` as false (architecture.md §7): accept both spellings.
            if entry.value.bool == false {
                resolution.qnameMinimisation = .off
            } else if let mode = word(entry, QNAMEMinimisation.allCases.map(\.rawValue)) {
                resolution.qnameMinimisation = QNAMEMinimisation(rawValue: mode)!
            }
        case "forward-zones":
            guard let items = list(entry) else { return }
            var zones: [ForwardZone] = []
            for (index, item) in items.enumerated() {
                zoneItems["\(entry.path)[\(index)]"] = item
                if let zone = forwardZone(item, path: "\(entry.path)[\(index)]") { zones.append(zone) }
            }
            resolution.forwardZones = zones
        case "stub-zones":
            guard let items = list(entry) else { return }
            var zones: [StubZone] = []
            for (index, item) in items.enumerated() {
                zoneItems["\(entry.path)[\(index)]"] = item
                if let zone = stubZone(item, path: "\(entry.path)[\(index)]") { zones.append(zone) }
            }
            resolution.stubZones = zones
        case "edns-buffer-size":
            // RFC 6891 §6.2.5: values below 512 are treated as 512; 4096 is the historical maximum.
            if let size = integer(entry, range: 512...4096) { resolution.ednsBufferSize = size }
        case "query-timeout":
            if let value = duration(entry, range: .milliseconds(100) ... .seconds(120)) {
                resolution.queryTimeout = value
            }
        case "client-timeout":
            if let value = duration(entry, range: .milliseconds(100) ... .seconds(120)) {
                resolution.clientTimeout = value
            }
        case "max-outstanding-queries":
            if case .scalar(let scalar) = entry.value, scalar.string == "auto" {
                resolution.maxOutstandingQueries = nil
            } else if let value = integer(entry, range: 16...1_000_000, expected: "auto or a number") {
                resolution.maxOutstandingQueries = value
            }
        case "case-randomisation":
            if let value = bool(entry) { resolution.caseRandomisation = value }
        case "send-cookies":
            if let value = bool(entry) { resolution.sendCookies = value }
        default:
            unknownKey(entry)
        }
    }

    /// One key of `dnssec`.
    private mutating func decodeDNSSEC(_ entry: Entry, into dnssec: inout DNSSECSection) {
        switch entry.name {
        case "validation":
            if let value = bool(entry) { dnssec.validation = value }
        case "trust-anchors":
            guard let items = list(entry) else { return }
            var lines: [String] = []
            for (index, item) in items.enumerated() {
                let path = "\(entry.path)[\(index)]"
                guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                    report(item, path, "expected a zone-file DS or DNSKEY line, got \(describe(item))")
                    continue
                }
                lines.append(scalar.string)
            }
            dnssec.trustAnchors = lines
        case "trust-anchor-files":
            guard let items = list(entry) else { return }
            var paths: [String] = []
            for (index, item) in items.enumerated() {
                let itemEntry = Entry(name: "", key: item, value: item, path: "\(entry.path)[\(index)]")
                if let text = string(itemEntry), let path = readablePath(text, itemEntry) { paths.append(path) }
            }
            dnssec.trustAnchorFiles = paths
        case "trust-anchor-updates":
            if let value = entry.value.bool {
                dnssec.trustAnchorUpdates = value ? .all : .none
            } else if let mode = word(entry, TrustAnchorUpdatePolicy.allCases.map(\.rawValue)) {
                dnssec.trustAnchorUpdates = TrustAnchorUpdatePolicy(rawValue: mode)!
            }
        case "negative-trust-anchors":
            guard let items = list(entry) else { return }
            var names: [DomainName] = []
            for (index, item) in items.enumerated() {
                if let name = domainName(item, path: "\(entry.path)[\(index)]") { names.append(name) }
            }
            dnssec.negativeTrustAnchors = names
        case "nsec3-max-iterations":
            if let value = integer(entry, range: 0...65535) { dnssec.nsec3MaxIterations = value }
        case "bogus-ttl":
            if let value = seconds(entry, range: 0...86400) { dnssec.bogusTTL = value }
        case "aggressive-nsec":
            if let value = bool(entry) { dnssec.aggressiveNSEC = value }
        default:
            unknownKey(entry)
        }
    }

    /// One key of `cache`.
    private mutating func decodeCache(_ entry: Entry, into cache: inout CacheSection) {
        switch entry.name {
        case "size":
            if let value = byteSize(entry, range: (1 << 20)...(1 << 40)) { cache.size = value }
        case "min-ttl":
            if let value = seconds(entry, range: 0...604800) { cache.minTTL = value }
        case "max-ttl":
            if let value = seconds(entry, range: 1...604800) { cache.maxTTL = value }
        case "max-negative-ttl":
            if let value = seconds(entry, range: 1...604800) { cache.maxNegativeTTL = value }
        case "serve-stale":
            if let value = bool(entry) { cache.serveStale = value }
        case "prefetch":
            if let value = bool(entry) { cache.prefetch = value }
        case "persist":
            if let value = bool(entry) { cache.persist = value }
        case "packet-cache":
            if let value = bool(entry) { cache.packetCache = value }
        default:
            unknownKey(entry)
        }
    }

    /// One key of `dnstap`: `socket` or `file` (not both; `false` for none), then the optional keys.
    private mutating func decodeDnstap(_ entry: Entry, into dnstap: inout DnstapSection) {
        switch entry.name {
        case "socket", "file":
            if isDisabled(entry.value) { return }
            guard let text = string(entry) else { return }
            guard dnstap.destination == nil else {
                report(entry.key, entry.path, "give one of dnstap.socket and dnstap.file, not both")
                return
            }
            let path = resolvePath(text)
            // sockaddr_un's sun_path holds 107 bytes and a terminating zero.
            if entry.name == "socket" && path.utf8.count > 107 {
                report(entry.key, entry.path, "a unix socket path is at most 107 bytes, got \(path.utf8.count)")
                return
            }
            dnstap.destination = entry.name == "socket" ? .socket(path) : .file(path)
        case "identity":
            if let text = string(entry) { dnstap.identity = text }
        case "version":
            if let text = string(entry) { dnstap.version = text }
        case "client-queries":
            if let value = bool(entry) { dnstap.clientQueries = value }
        case "client-responses":
            if let value = bool(entry) { dnstap.clientResponses = value }
        case "resolver-queries":
            if let value = bool(entry) { dnstap.resolverQueries = value }
        case "resolver-responses":
            if let value = bool(entry) { dnstap.resolverResponses = value }
        default:
            unknownKey(entry)
        }
    }

    /// One key of `server`.
    private mutating func decodeServer(_ entry: Entry, into server: inout ServerSection) {
        switch entry.name {
        case "tcp-idle-timeout":
            if let value = duration(entry, range: .milliseconds(100) ... .seconds(3600)) {
                server.tcpIdleTimeout = value
            }
        case "tcp-max-connections":
            if let value = integer(entry, range: 1...1_000_000) { server.tcpMaxConnections = value }
        case "tcp-max-queries-per-connection":
            if let value = integer(entry, range: 1...65535) { server.tcpMaxQueriesPerConnection = value }
        case "max-pending-per-client":
            if let value = integer(entry, range: 1...1_000_000) { server.maxPendingPerClient = value }
        case "max-pending":
            if let value = integer(entry, range: 1...10_000_000) { server.maxPending = value }
        case "tcp-max-connections-per-client":
            if let value = integer(entry, range: 1...1_000_000) { server.tcpMaxConnectionsPerClient = value }
        case "user":
            // `""` (or an empty value) means: do not switch users.
            if case .scalar(let scalar) = entry.value,
                scalar.string.isEmpty || entry.value.tag.rawValue == Tag.Name.null.rawValue
            {
                server.user = nil
            } else if let value = string(entry) {
                server.user = value
            }
        case "shutdown-timeout":
            if let value = duration(entry, range: .zero ... .seconds(300)) { server.shutdownTimeout = value }
        case "answer-cookies":
            if let value = bool(entry) { server.answerCookies = value }
        default:
            unknownKey(entry)
        }
    }

    /// A list of addresses (`listen-tls`, `listen-https`), each reported where it is wrong; nil when
    /// the value is not a list.
    private mutating func addresses(_ entry: Entry, defaultPort: UInt16) -> [ServiceAddress]? {
        guard let items = list(entry) else { return nil }
        return items.enumerated().compactMap { index, item in
            serviceAddress(item, at: item, path: "\(entry.path)[\(index)]", defaultPort: defaultPort)
        }
    }

    /// One key of `tls`.
    private mutating func decodeTLS(_ entry: Entry, into tls: inout TLSSection) {
        switch entry.name {
        case "certificate":
            if let text = string(entry), let path = readablePath(text, entry) { tls.certificate = path }
        case "key":
            if let text = string(entry), let path = readablePath(text, entry) { tls.key = path }
        case "handshake-timeout":
            if let value = duration(entry, range: .seconds(1) ... .seconds(120)) { tls.handshakeTimeout = value }
        default:
            unknownKey(entry)
        }
    }

    /// Checks the relations between keys once every key is read.
    mutating func checkConsistency(_ configuration: Configuration, root text: String) {
        if configuration.cache.minTTL > configuration.cache.maxTTL {
            report(line: 0, column: 0, path: "cache.min-ttl", "must not exceed cache.max-ttl")
        }
        if !configuration.resolution.ipv4 && !configuration.resolution.ipv6 {
            report(line: 0, column: 0, path: "resolution", "ipv4 and ipv6 cannot both be false")
        }
        var tlsForwarders: [ServiceAddress: ForwarderTLS] = [:]
        for (index, zone) in configuration.resolution.forwardZones.enumerated() {
            guard let tls = zone.tls else { continue }
            for server in zone.servers {
                // The socket transport keeps one set of connections per TLS forwarder address.
                if let other = tlsForwarders.updateValue(tls, forKey: server), other != tls {
                    report(
                        line: 0, column: 0, path: "resolution.forward-zones[\(index)]",
                        "\(server) is given other TLS settings by an earlier forward zone")
                }
            }
        }
        checkConfiguredZones(configuration.resolution)
        let encrypted = [
            ("listen-tls", configuration.listenTLS), ("listen-https", configuration.listenHTTPS),
        ].filter { !$0.1.isEmpty }.map(\.0)
        if !encrypted.isEmpty {
            let needed = "required by " + encrypted.joined(separator: " and ")
            if configuration.tls.certificate == nil { report(line: 0, column: 0, path: "tls.certificate", needed) }
            if configuration.tls.key == nil { report(line: 0, column: 0, path: "tls.key", needed) }
        }
    }

    // MARK: - Compound values

    /// The `blocklists` items: `{ name, file, format, action, ttl }`, names unique.
    private mutating func blocklists(_ entry: Entry) -> [BlocklistConfiguration] {
        guard let items = list(entry) else { return [] }
        if items.count > BlocklistConfiguration.maxLists {
            report(entry.key, entry.path, "more than \(BlocklistConfiguration.maxLists) lists")
        }
        var lists: [BlocklistConfiguration] = []
        for (index, item) in items.prefix(BlocklistConfiguration.maxLists).enumerated() {
            let path = "\(entry.path)[\(index)]"
            guard let list = blocklist(item, path: path) else { continue }
            if lists.contains(where: { $0.name == list.name }) {
                report(item, path + ".name", "\"\(list.name)\" names an earlier list too")
            }
            lists.append(list)
        }
        return lists
    }

    /// A `blocklists` item.
    private mutating func blocklist(_ node: Node, path: String) -> BlocklistConfiguration? {
        guard case .mapping = node else {
            report(node, path, "expected { name: NAME, file: PATH, format: hosts|domains|rpz }, got \(describe(node))")
            return nil
        }
        var name: String?
        var file: String?
        var format: BlocklistConfiguration.Format?
        var action = BlocklistConfiguration.Action.nxdomain
        var actionEntry: Entry?
        var ttl = BlocklistConfiguration.defaultTTL
        for entry in entries(of: node, path: path) {
            switch entry.name {
            case "name":
                guard let text = string(entry) else { continue }
                let allowed = text.utf8.allSatisfy {
                    ($0 | 0x20) &- 0x61 < 26 || $0 &- 0x30 < 10 || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
                }
                if allowed && text.utf8.count <= BlocklistConfiguration.maxNameLength {
                    name = text
                } else {
                    report(
                        entry.key, entry.path,
                        "expected up to \(BlocklistConfiguration.maxNameLength) letters, digits, '-', '_' or '.', got \"\(text)\""
                    )
                }
            case "file":
                if let text = string(entry) { file = readablePath(text, entry) }
            case "format":
                if let word = word(entry, BlocklistConfiguration.Format.allCases.map(\.rawValue)) {
                    format = BlocklistConfiguration.Format(rawValue: word)
                }
            case "action":
                actionEntry = entry
                if let word = word(entry, BlocklistConfiguration.Action.allCases.map(\.rawValue)) {
                    action = BlocklistConfiguration.Action(rawValue: word)!
                }
            case "ttl":
                if let value = integer(entry, range: 0...86400, expected: "seconds, 0 to 86400") { ttl = UInt32(value) }
            default:
                unknownKey(entry)
            }
        }
        for key in ["name", "file", "format"] where !hasKey(node, key) { report(node, path, "missing key \(key)") }
        if format == .rpz, let actionEntry {
            report(actionEntry.key, actionEntry.path, "an RPZ file says each name's action: no action key")
        }
        guard let name, let file, let format else { return nil }
        return BlocklistConfiguration(name: name, file: file, format: format, action: action, ttl: ttl)
    }

    /// An `access-control` item: `{ network: CIDR, action: allow|refuse|deny }`.
    private mutating func accessRule(_ node: Node, path: String) -> AccessRule? {
        guard case .mapping = node else {
            report(node, path, "expected { network: CIDR, action: allow|refuse|deny }, got \(describe(node))")
            return nil
        }
        var network: IPNetwork?
        var action: AccessAction?
        for entry in entries(of: node, path: path) {
            switch entry.name {
            case "network":
                guard let text = string(entry) else { continue }
                network = IPNetwork(text)
                if network == nil {
                    report(
                        entry.key, entry.path,
                        "expected a network such as 192.0.2.0/24 or 2001:db8::/32, got \"\(text)\"")
                }
            case "action":
                if let word = word(entry, AccessAction.allCases.map(\.rawValue)) {
                    action = AccessAction(rawValue: word)
                }
            default:
                unknownKey(entry)
            }
        }
        if network == nil || action == nil {
            if !hasKey(node, "network") { report(node, path, "missing key network") }
            if !hasKey(node, "action") { report(node, path, "missing key action") }
            return nil
        }
        return AccessRule(network: network!, action: action!)
    }

    /// A `forward-zones` item: `{ name: NAME, addresses: [ADDR@PORT, ...] }`, and for DNS over TLS
    /// (RFC 7858) `tls: true` with `tls-name`, `tls-pin`/`tls-pins` and `tls-ca`. TLS without a
    /// name or a pin is refused: RFC 8310 §5's strict profile never connects unauthenticated.
    /// Addresses without a port get 853 with TLS (RFC 7858 §3.1), 53 without.
    private mutating func forwardZone(_ node: Node, path: String) -> ForwardZone? {
        guard case .mapping = node else {
            report(node, path, "expected { name: NAME, addresses: [ADDR@PORT, ...] }, got \(describe(node))")
            return nil
        }
        let all = entries(of: node, path: path)
        var tlsEntry: Entry?
        var useTLS = false
        for entry in all where entry.name == "tls" {
            tlsEntry = entry
            useTLS = bool(entry) ?? false
        }
        var name: DomainName?
        var addresses: [ServiceAddress]?
        var tls = ForwarderTLS(name: nil)
        var tlsKeys: [Entry] = []
        for entry in all {
            switch entry.name {
            case "name":
                name = domainName(entry.value, at: entry.key, path: entry.path)
            case "addresses":
                guard let items = list(entry) else { continue }
                var parsed: [ServiceAddress] = []
                let port = useTLS ? ForwarderTLS.defaultPort : 53
                for (index, item) in items.enumerated() {
                    if let address = serviceAddress(item, at: item, path: "\(entry.path)[\(index)]", defaultPort: port)
                    {
                        parsed.append(address)
                    }
                }
                if items.isEmpty {
                    report(entry.key, entry.path, "expected at least one address")
                } else {
                    addresses = parsed
                }
            case "tls":
                break
            case "tls-name":
                tlsKeys.append(entry)
                if let text = string(entry) { tls.name = text }
            case "tls-pin":
                tlsKeys.append(entry)
                if let pin = spkiPin(entry.value, at: entry.key, path: entry.path) { tls.pins.append(pin) }
            case "tls-pins":
                tlsKeys.append(entry)
                guard let items = list(entry) else { continue }
                for (index, item) in items.enumerated() {
                    if let pin = spkiPin(item, at: item, path: "\(entry.path)[\(index)]") { tls.pins.append(pin) }
                }
            case "tls-ca":
                tlsKeys.append(entry)
                if let text = string(entry), let file = readablePath(text, entry) { tls.caFile = file }
            default:
                unknownKey(entry)
            }
        }
        if !hasKey(node, "name") { report(node, path, "missing key name") }
        if !hasKey(node, "addresses") { report(node, path, "missing key addresses") }
        if useTLS, let tlsEntry, !hasKey(node, "tls-name"), !hasKey(node, "tls-pin"), !hasKey(node, "tls-pins") {
            report(
                tlsEntry.key, tlsEntry.path,
                "needs tls-name or tls-pin: a forwarder is never asked over unauthenticated TLS (RFC 8310 §5)")
        }
        if !useTLS {
            for entry in tlsKeys { report(entry.key, entry.path, "needs tls: true") }
        }
        guard let name, let addresses else { return nil }
        return ForwardZone(zone: name, servers: addresses, tls: useTLS ? tls : nil)
    }

    /// A `stub-zones` item: `{ name: NAME, addresses: [ADDR@PORT, ...], insecure: BOOL }`; port 53
    /// unless given, `insecure` false unless given.
    private mutating func stubZone(_ node: Node, path: String) -> StubZone? {
        guard case .mapping = node else {
            report(node, path, "expected { name: NAME, addresses: [ADDR@PORT, ...] }, got \(describe(node))")
            return nil
        }
        var name: DomainName?
        var addresses: [ServiceAddress]?
        var insecure = false
        for entry in entries(of: node, path: path) {
            switch entry.name {
            case "name":
                name = domainName(entry.value, at: entry.key, path: entry.path)
            case "addresses":
                guard let items = list(entry) else { continue }
                var parsed: [ServiceAddress] = []
                for (index, item) in items.enumerated() {
                    if let address = serviceAddress(item, at: item, path: "\(entry.path)[\(index)]", defaultPort: 53) {
                        parsed.append(address)
                    }
                }
                if items.isEmpty {
                    report(entry.key, entry.path, "expected at least one address")
                } else {
                    addresses = parsed
                }
            case "insecure":
                if let value = bool(entry) { insecure = value }
            default:
                unknownKey(entry)
            }
        }
        if !hasKey(node, "name") { report(node, path, "missing key name") }
        if !hasKey(node, "addresses") { report(node, path, "missing key addresses") }
        guard let name, let addresses else { return nil }
        return StubZone(zone: name, servers: addresses, insecure: insecure)
    }

    /// Each stub and forward zone names a different apex: one name sent both RD=0 to authorities
    /// and RD=1 to a resolver has no meaning, and a repeated name would leave one entry unused.
    /// Nesting is allowed (the deepest zone holding a name decides, Docs/resolution.md).
    private mutating func checkConfiguredZones(_ resolution: ResolutionSection) {
        var seen: [DomainName: String] = [:]
        let named =
            resolution.forwardZones.enumerated().map { ($1.zone, "resolution.forward-zones[\($0)]") }
            + resolution.stubZones.enumerated().map { ($1.zone, "resolution.stub-zones[\($0)]") }
        for (zone, path) in named {
            if let first = seen[zone] {
                let message = "\(zone) is already configured by \(first)"
                if let item = zoneItems[path] {
                    report(item, path, message)
                } else {
                    report(line: 0, column: 0, path: path, message)
                }
            } else {
                seen[zone] = path
            }
        }
    }

    /// An SPKI pin (RFC 7858 §4.2): the base64 of the SHA-256 of a SubjectPublicKeyInfo, 32 octets.
    private mutating func spkiPin(_ node: Node, at mark: Node, path: String) -> [UInt8]? {
        guard case .scalar(let scalar) = node, let digest = BaseEncoding.decodeBase64(Array(scalar.string.utf8)),
            digest.count == 32
        else {
            report(
                mark, path, "expected the base64 of a 32-octet SHA-256 SPKI digest, got \(describe(node))")
            return nil
        }
        return digest
    }

    /// A domain name in presentation form.
    mutating func domainName(_ node: Node, at mark: Node? = nil, path: String) -> DomainName? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(mark ?? node, path, "expected a domain name, got \(describe(node))")
            return nil
        }
        do {
            return try DomainName(scalar.string)
        } catch {
            report(mark ?? node, path, "expected a domain name, got \"\(scalar.string)\": \(error.reason)")
            return nil
        }
    }

    /// `ADDR@PORT`.
    private mutating func serviceAddress(
        _ node: Node, at mark: Node, path: String, defaultPort: UInt16
    )
        -> ServiceAddress?
    {
        guard case .scalar(let scalar) = node, let address = ServiceAddress(scalar.string, defaultPort: defaultPort)
        else {
            report(mark, path, "expected ADDRESS@PORT such as 127.0.0.1@53 or ::1@53, got \(describe(node))")
            return nil
        }
        return address
    }

    /// One key of `logging`.
    private mutating func decodeLogging(_ entry: Entry, into logging: inout LoggingSection) {
        switch entry.name {
        case "level":
            if let level = word(entry, LogLevel.allCases.map(\.rawValue)) { logging.level = LogLevel(rawValue: level)! }
        case "format":
            if let format = word(entry, LogFormat.allCases.map(\.rawValue)) {
                logging.format = LogFormat(rawValue: format)!
            }
        case "failures":
            if let value = bool(entry) { logging.failures = value }
        case "failure-interval":
            if let value = duration(entry, range: .seconds(1) ... .seconds(86400)) { logging.failureInterval = value }
        case "failure-rate":
            if let value = integer(entry, range: 1...10000) { logging.failureRate = value }
        case "queries":
            if let value = bool(entry) { logging.queries = value }
        default:
            unknownKey(entry)
        }
    }

    // MARK: - Scalars

    /// A boolean: true/false (and YAML 1.1's yes/no/on/off).
    mutating func bool(_ entry: Entry) -> Bool? {
        if let value = entry.value.bool { return value }
        report(entry.key, entry.path, "expected a boolean, got \(describe(entry.value))")
        return nil
    }

    /// An integer within `range`.
    private mutating func integer(_ entry: Entry, range: ClosedRange<Int>, expected: String? = nil) -> Int? {
        guard case .scalar = entry.value, entry.value.tag.rawValue == Tag.Name.int.rawValue, let value = entry.value.int
        else {
            report(entry.key, entry.path, "expected \(expected ?? "an integer"), got \(describe(entry.value))")
            return nil
        }
        guard range.contains(value) else {
            report(entry.key, entry.path, "expected \(range.lowerBound)…\(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// Any non-empty scalar, as written.
    mutating func string(_ entry: Entry) -> String? {
        guard case .scalar(let scalar) = entry.value, entry.value.tag.rawValue != Tag.Name.null.rawValue,
            !scalar.string.isEmpty
        else {
            report(entry.key, entry.path, "expected a string, got \(describe(entry.value))")
            return nil
        }
        return scalar.string
    }

    /// One of a few words.
    private mutating func word(_ entry: Entry, _ choices: [String]) -> String? {
        if case .scalar(let scalar) = entry.value, choices.contains(scalar.string) { return scalar.string }
        let list =
            choices.count == 2
            ? choices.joined(separator: " or ")
            : choices.dropLast().joined(separator: ", ") + " or " + choices.last!
        report(entry.key, entry.path, "expected \(list), got \(describe(entry.value))")
        return nil
    }

    /// A duration: a number of seconds, or a number with a unit `ms`, `s`, `m`, `h`, `d`.
    private mutating func duration(_ entry: Entry, range: ClosedRange<Duration>) -> Duration? {
        guard case .scalar(let scalar) = entry.value, let value = Self.parseDuration(scalar.string) else {
            report(
                entry.key, entry.path, "expected a duration such as 10, 10s, 500ms or 2m, got \(describe(entry.value))")
            return nil
        }
        guard range.contains(value) else {
            report(
                entry.key, entry.path,
                "expected \(Self.format(range.lowerBound))…\(Self.format(range.upperBound)), got \(scalar.string)")
            return nil
        }
        return value
    }

    /// A whole number of seconds (a TTL): a number, or a duration with a unit.
    private mutating func seconds(_ entry: Entry, range: ClosedRange<UInt32>) -> UInt32? {
        guard case .scalar(let scalar) = entry.value, let value = Self.parseDuration(scalar.string),
            value.components.attoseconds == 0, value.components.seconds >= 0
        else {
            report(
                entry.key, entry.path, "expected a number of seconds such as 3600 or 1h, got \(describe(entry.value))")
            return nil
        }
        let count = value.components.seconds
        guard count >= Int64(range.lowerBound), count <= Int64(range.upperBound) else {
            report(
                entry.key, entry.path, "expected \(range.lowerBound)…\(range.upperBound) seconds, got \(scalar.string)")
            return nil
        }
        return UInt32(count)
    }

    /// A size in bytes: a number, or a number with a unit.
    private mutating func byteSize(_ entry: Entry, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = entry.value, let value = Self.parseByteSize(scalar.string) else {
            report(
                entry.key, entry.path, "expected a size such as 128MiB, 1G or 134217728, got \(describe(entry.value))")
            return nil
        }
        guard range.contains(value) else {
            report(entry.key, entry.path, "expected 1MiB…1TiB, got \(scalar.string)")
            return nil
        }
        return value
    }

    /// True for the values that switch an optional feature off: `false`, `off`, `no`, null.
    private func isDisabled(_ node: Node) -> Bool {
        if node.bool == false { return true }
        if case .scalar = node, node.tag.rawValue == Tag.Name.null.rawValue { return true }
        return false
    }

    // MARK: - Unit parsing

    /// Parses `N`, `Nms`, `Ns`, `Nm`, `Nh`, `Nd` (N a non-negative integer); nil otherwise.
    static func parseDuration(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let number = Int64(digits) else { return nil }
        switch text.dropFirst(digits.count) {
        case "", "s": return .seconds(number)
        case "ms": return .milliseconds(number)
        case "m": return .seconds(number * 60)
        case "h": return .seconds(number * 3600)
        case "d": return .seconds(number * 86400)
        default: return nil
        }
    }

    /// Parses a byte count with an optional unit: `B`; `k`/`K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`
    /// (powers of 1024, as Unbound reads `4m`); `kB`/`KB`, `MB`, `GB`, `TB` (powers of 1000).
    static func parseByteSize(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 13, let number = Int(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmingPrefix(" ")
        let multiplier: Int
        switch unit {
        case "", "B": multiplier = 1
        case "k", "K", "KiB": multiplier = 1 << 10
        case "m", "M", "MiB": multiplier = 1 << 20
        case "g", "G", "GiB": multiplier = 1 << 30
        case "t", "T", "TiB": multiplier = 1 << 40
        case "kB", "KB": multiplier = 1000
        case "MB": multiplier = 1_000_000
        case "GB": multiplier = 1_000_000_000
        case "TB": multiplier = 1_000_000_000_000
        default: return nil
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// A duration as the operator would write it.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }

    // MARK: - Paths

    /// An absolute path: relative ones are taken from the configuration file's folder.
    func resolvePath(_ text: String) -> String {
        if text.hasPrefix("/") { return text }
        var relative = Substring(text)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return baseDirectory.hasSuffix("/") ? baseDirectory + relative : baseDirectory + "/" + relative
    }

    /// Resolves a path and checks that the daemon can read it now.
    mutating func readablePath(_ text: String, _ entry: Entry) -> String? {
        let path = resolvePath(text)
        guard access(path, R_OK) == 0 else {
            report(entry.key, entry.path, "cannot read \(path): \(String(cString: strerror(errno)))")
            return nil
        }
        return path
    }

    // MARK: - Node walking

    /// A key and its value inside a mapping, with the dotted path to it.
    struct Entry {
        /// The key text.
        let name: String
        /// The key node (its mark is where errors point).
        let key: Node
        /// The value node.
        let value: Node
        /// The dotted path, e.g. `resolution.ipv6`.
        let path: String
    }

    /// The entries of a mapping; reports a non-mapping, non-string keys and repeated keys.
    mutating func entries(of node: Node, path: String) -> [Entry] {
        guard case .mapping(let mapping) = node else {
            if case .scalar = node, node.tag.rawValue == Tag.Name.null.rawValue { return [] }
            report(node, path, "expected a mapping of keys, got \(describe(node))")
            return []
        }
        var seen: Set<String> = []
        var result: [Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(key, path, "expected a key, got \(describe(key))")
                continue
            }
            let childPath = path.isEmpty ? scalar.string : "\(path).\(scalar.string)"
            guard seen.insert(scalar.string).inserted else {
                report(key, childPath, "key appears more than once")
                continue
            }
            result.append(Entry(name: scalar.string, key: key, value: value, path: childPath))
        }
        return result
    }

    /// The items of a list value.
    mutating func list(_ entry: Entry) -> [Node]? {
        if case .sequence(let sequence) = entry.value { return Array(sequence) }
        report(entry.key, entry.path, "expected a list, got \(describe(entry.value))")
        return nil
    }

    /// True when a mapping has the key.
    func hasKey(_ node: Node, _ name: String) -> Bool {
        guard case .mapping(let mapping) = node else { return false }
        return mapping.contains { $0.key.string == name }
    }

    /// How a value looks, for messages: the scalar in quotes, or its kind.
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return node.tag.rawValue == Tag.Name.null.rawValue ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: - Reporting

    /// Records that `key` is not one this section knows.
    mutating func unknownKey(_ entry: Entry) {
        report(entry.key, entry.path, "unknown key")
    }

    /// Records a problem at a node's position.
    mutating func report(_ node: Node, _ path: String, _ message: String) {
        report(line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, path: path, message)
    }

    /// Records a problem.
    mutating func report(line: Int, column: Int, path: String, _ message: String) {
        diagnostics.append(
            ConfigurationDiagnostic(file: file, line: line, column: column, keyPath: path, message: message))
    }

    /// Records a YAML syntax error with its position.
    mutating func report(yamlError error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            report(line: mark.line, column: mark.column, path: "", "YAML syntax: \(detail)")
        case .reader(let problem, let offset?, _, let yaml):
            // libyaml's reader (control characters, bad encodings) gives a byte offset, not a mark.
            let before = yaml.utf8.prefix(offset)
            let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            let start = before.lastIndex(of: UInt8(ascii: "\n")).map { before.index(after: $0) } ?? before.startIndex
            let column = String(decoding: before[start...], as: UTF8.self).count + 1
            report(line: line, column: column, path: "", "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Not reached in practice: RepeatedKeys finds these first, in document order (Yams'
            // position changes from run to run). Sorted because Yams' order does too.
            report(
                line: context.mark.line, column: context.mark.column, path: "",
                "keys appear more than once: \(duplicates.sorted().joined(separator: ", "))")
        default:
            report(line: 0, column: 0, path: "", "YAML: \(error)")
        }
    }
}
