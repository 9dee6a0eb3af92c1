// Primary responsibilities: blocklists in the query path — the stage before the cache that
// answers listed names (NXDOMAIN, NODATA or null addresses with a SOA for the negative TTL, RPZ
// local data, EDE 15 naming the list), and the loading of the configured lists at start and
// reload: off the listener queues, a list whose file did not change kept as it is, hits and
// sizes for the metrics endpoint.

import Blocklists
import DNSSEC
import DNSWire
import LocalZones
import Logging
import MamoriConfiguration
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One configured list, loaded.
package final class LoadedBlocklist: Sendable {
    /// What the configuration says of it.
    package let configuration: BlocklistConfiguration
    /// The names.
    package let list: Blocklist
    /// The file as it was when read, to keep the list at a reload that finds it unchanged.
    let file: FileIdentity?
    /// Queries it matched (passthru included), kept across reloads under the same name.
    package let hits: ListHits

    /// A loaded list.
    init(configuration: BlocklistConfiguration, list: Blocklist, file: FileIdentity?, hits: ListHits) {
        self.configuration = configuration
        self.list = list
        self.file = file
        self.hits = hits
    }
}

/// A count of matches, a relaxed atomic increment on the query path.
package final class ListHits: Sendable {
    /// Matches so far.
    let count = Atomic<Int>(0)
    /// Matches so far.
    package var value: Int { count.load(ordering: .relaxed) }
}

/// What identifies a file's contents cheaply: device, inode, size and modification time.
package struct FileIdentity: Hashable, Sendable {
    /// `st_dev`, `st_ino`, `st_size`, `st_mtim`.
    let device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int

    /// The identity of `path` now, nil when it cannot be read.
    package init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = info.st_mtim.tv_sec
        nanoseconds = info.st_mtim.tv_nsec
    }
}

/// The stage before the cache that answers names found in the blocklists (RFC draft
/// "Response Policy Zones" semantics for every format): the lists are asked in configured order and
/// the first that lists the name decides; a passthru match ends the search with no answer, so the
/// name is resolved as usual.
///
/// Answers are local policy, not DNS data: AA clear, RA set by the server, no AD (status
/// insecure: RFC 4035 §3.2.3 sets AD only on validated data), EDE 15 Blocked (RFC 8914 §4.16)
/// with a text naming the list. Negative answers carry a SOA at the listed name whose MINIMUM and
/// TTL are the list's `ttl`, so caches downstream keep the negative answer that long (RFC 2308 §5).
package struct BlocklistStage: LocalAnswerStage {
    /// The lists, in configured order.
    package let lists: [LoadedBlocklist]

    /// A stage asking `lists` in order.
    package init(lists: [LoadedBlocklist]) {
        self.lists = lists
    }

    /// The policy answer to `question`, or nil when no list has the name (or one lets it pass).
    package func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        guard question.rrClass == .in else { return nil }
        for loaded in lists {
            guard let match = loaded.list.match(question.name) else { continue }
            loaded.hits.count.add(1, ordering: .relaxed)
            return Self.answer(question, match: match, list: loaded.configuration)
        }
        return nil
    }

    /// The answer `match` in `list` gives to `question`; nil for passthru.
    static func answer(_ question: Question, match: BlockMatch, list: BlocklistConfiguration) -> Resolution? {
        let blocked = ExtendedDNSError(.blocked, "blocked by list \(list.name)")
        let soa = soa(question.name.suffix(labelCount: match.listedLabelCount), ttl: list.ttl)
        func negative(_ rcode: RCode) -> Resolution {
            Resolution(rcode: rcode, authority: [soa], status: .insecure, extendedErrors: [blocked])
        }
        switch match.policy {
        case .passthru:
            return nil
        case .nxdomain:
            return negative(.nxDomain)
        case .nodata:
            return negative(.noError)
        case .listed:
            switch list.action {
            case .passthru: return nil
            case .nxdomain: return negative(.nxDomain)
            case .nodata: return negative(.noError)
            case .nullAddress:
                let rdata: RData
                switch question.type {
                case .a: rdata = .a(A(address: 0))
                case .aaaa: rdata = .aaaa(AAAA(high: 0, low: 0))
                default: return negative(.noError)
                }
                let answer = RRSet(name: question.name, type: question.type, ttl: list.ttl, rdatas: [rdata])
                return Resolution(rcode: .noError, answer: [answer], status: .insecure, extendedErrors: [blocked])
            }
        case .localData(let sets):
            // RPZ Local Data (draft §4.1.4): the owner's records of the asked type under the query
            // name; a CNAME stands for every type (RFC 1034 §3.6.2); none of the type is NODATA.
            let rewritten = ExtendedDNSError(.blocked, "rewritten by list \(list.name)")
            let chosen =
                question.type == .any
                ? sets
                : sets.filter { $0.type == question.type || ($0.type == .cname && question.type != .cname) }
            guard !chosen.isEmpty else {
                return Resolution(rcode: .noError, authority: [soa], status: .insecure, extendedErrors: [rewritten])
            }
            let renamed = chosen.map { set -> RRSet in
                var copy = set
                copy.name = question.name
                return copy
            }
            return Resolution(rcode: .noError, answer: renamed, status: .insecure, extendedErrors: [rewritten])
        }
    }

    /// The SOA of a blocked answer: at the listed name, its MINIMUM and TTL the list's `ttl`
    /// (RFC 2308 §5: the negative TTL is the lesser of the two), in the style of the locally served
    /// zones of RFC 6303 §3.
    static func soa(_ owner: DomainName, ttl: UInt32) -> RRSet { LocalZoneTable.syntheticSOA(owner, ttl: ttl) }
}

/// The lists in force and their counters: loads the configured lists (keeping those whose file is
/// unchanged), and reports names, bytes and hits per list to the metrics endpoint.
package final class BlocklistBook: Sendable {
    /// The lists installed, and every list's hit counter by name (kept across reloads).
    private let state = Mutex<(installed: [LoadedBlocklist], hits: [String: ListHits])>(([], [:]))
    /// Where loads are logged.
    private let logger: Logger

    /// A book with nothing loaded; with `metrics`, each scrape reports the installed lists.
    package init(metrics: ServerMetrics?, logger: Logger) {
        self.logger = logger
        if let metrics { addCollector(to: metrics) }
    }

    /// The stage for the installed lists, nil when there are none.
    package var stage: BlocklistStage? {
        let lists = state.withLock { $0.installed }
        return lists.isEmpty ? nil : BlocklistStage(lists: lists)
    }

    /// Loads `configurations`, reusing an installed list whose file and format are unchanged (and
    /// building a changed hosts or domain list as an overlay on the installed one's table when it
    /// changed little, ``Blocklist/load(path:format:replacing:)``), and installs nothing: the caller installs the result with ``installed(_:)`` once the rest of a
    /// reload is accepted. Runs on the caller's queue (the daemon's control queue), never a
    /// listener's. While it runs the installed lists stay in memory: the peak is old plus new,
    /// less every list kept and every table an overlay shares.
    /// - Throws: ``BlocklistError`` naming the file and line of the first bad list.
    package func load(_ configurations: [BlocklistConfiguration]) throws(BlocklistError) -> [LoadedBlocklist] {
        let installed = state.withLock { $0.installed }
        var loaded: [LoadedBlocklist] = []
        for configuration in configurations {
            let hits = state.withLock { state in
                if let hits = state.hits[configuration.name] { return hits }
                let hits = ListHits()
                state.hits[configuration.name] = hits
                return hits
            }
            let identity = FileIdentity(path: configuration.file)
            let previous = installed.first {
                $0.configuration.file == configuration.file && $0.configuration.format == configuration.format
            }
            if let identity, let previous, previous.file == identity {
                loaded.append(
                    LoadedBlocklist(configuration: configuration, list: previous.list, file: identity, hits: hits))
                continue
            }
            let started = ContinuousClock.now
            let list = try Blocklist.load(
                path: configuration.file, format: Self.format(configuration.format), replacing: previous?.list)
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            logger.info(
                "blocklist \(configuration.name): \(list.count) names, \(list.byteCount / 1024) KiB",
                metadata: [
                    "file": "\(configuration.file)", "format": "\(configuration.format.rawValue)",
                    "seconds": "\((seconds * 1000).rounded() / 1000)",
                    "bytes-per-name": "\(list.count == 0 ? 0 : list.byteCount / list.count)",
                    "overlay": "\(list.isOverlay)",
                    "left-aside": "\(Self.describe(list.notes))",
                ])
            loaded.append(LoadedBlocklist(configuration: configuration, list: list, file: identity, hits: hits))
        }
        return loaded
    }

    /// Records `lists` as installed (for the metrics and the next reload's reuse).
    package func installed(_ lists: [LoadedBlocklist]) {
        state.withLock { $0.installed = lists }
    }

    /// The Blocklists target's name for a format.
    static func format(_ format: BlocklistConfiguration.Format) -> BlocklistFormat {
        switch format {
        case .hosts: .hosts
        case .domains: .domains
        case .rpz: .rpz
        }
    }

    /// What a parser left aside, for the log.
    static func describe(_ notes: Blocklist.LoadNotes) -> String {
        [
            ("non-blocking hosts lines", notes.nonBlockingLines), ("housekeeping names", notes.housekeepingNames),
            ("non-QNAME RPZ triggers", notes.unsupportedTriggers), ("duplicates", notes.duplicates),
        ].filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// Reports, at each scrape, each installed list's names and bytes and every list's hits.
    private func addCollector(to metrics: ServerMetrics) {
        let series = Mutex<
            [String: (
                names: ServerMetrics.ScrapedGauge, bytes: ServerMetrics.ScrapedGauge,
                hits: ServerMetrics.FollowingCounter
            )]
        >([:])
        metrics.addCollector { [self] in
            let (installed, hits) = state.withLock { ($0.installed, $0.hits) }
            series.withLock { series in
                for (name, counter) in hits {
                    let labels = [("list", name)]
                    let made =
                        series[name]
                        ?? (
                            metrics.gauge("mamori_blocklist_names", labels: labels, help: "Names a blocklist holds."),
                            metrics.gauge(
                                "mamori_blocklist_bytes", labels: labels,
                                help: "Bytes a blocklist holds: packed names, hash slots and RPZ local data."),
                            ServerMetrics.FollowingCounter(
                                metrics, name: "mamori_blocklist_hits_total", labels: labels,
                                help: "Queries a blocklist matched (passthru included).")
                        )
                    series[name] = made
                    let list = installed.first { $0.configuration.name == name }
                    made.names.set(list?.list.count ?? 0)
                    made.bytes.set(list?.list.byteCount ?? 0)
                    made.hits.update(to: counter.value)
                }
            }
        }
    }
}
