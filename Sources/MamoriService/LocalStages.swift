// Primary responsibilities: local data in the query path — the two stages over one LocalZoneTable
// (the operator's zones and data first, the locally served zones after the blocklists), building
// the table from the configuration and its hosts files, and the one place that holds every part
// of the stages before the cache, so replacing one part (a hosts file re-read, new blocklists)
// installs them all in order.

import DNSSEC
import DNSWire
import LocalZones
import MamoriConfiguration
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension LocalAnswer {
    /// The answer as a resolution: status insecure, so no AD (the data is local, not validated:
    /// RFC 4035 §3.2.3); AA is never set on answers the service makes.
    var resolution: Resolution {
        Resolution(rcode: rcode, answer: answer, authority: authority, status: .insecure)
    }
}

/// The stage before the cache for the operator's local zones and data (`local.data`,
/// `local.zones`, `local.hosts-files`): first of all the stages, so a local answer beats the
/// blocklists, the cache and the packet cache.
package struct LocalDataStage: LocalAnswerStage {
    /// The table.
    package let table: LocalZoneTable

    /// The operator's answer to `question`, or nil.
    package func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        table.answer(question, part: .operator)?.resolution
    }
}

/// The stage before the cache for the locally served zones (`local.served-zones`, RFC 6303 §3):
/// after the blocklists, so a list may still block a name in them, and before discovery.
package struct ServedZonesStage: LocalAnswerStage {
    /// The table.
    package let table: LocalZoneTable

    /// The served zone's answer to `question`, or nil.
    package func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        table.answer(question, part: .served)?.resolution
    }
}

/// Every part of the stages the service has installed, in one value: what replaces one part
/// keeps the others, and ``stages`` puts them in their order.
package struct StageParts: Sendable {
    /// Local zones, local data and the locally served zones.
    package var local: LocalZoneTable?
    /// The blocklists.
    package var blocklists: BlocklistStage?
    /// Discovery of designated resolvers (RFC 9462); nil without listeners (tests).
    package var discovery: DesignatedResolverStage?
    /// The configuration whose address policies (rebinding protection, DNS64) follow the answers.
    package var configuration: Configuration

    /// The parts.
    package init(
        configuration: Configuration, local: LocalZoneTable? = nil, blocklists: BlocklistStage? = nil,
        discovery: DesignatedResolverStage? = nil
    ) {
        self.configuration = configuration
        self.local = local
        self.blocklists = blocklists
        self.discovery = discovery
    }

    /// The stages in order: the operator's local data, the blocklists, the locally served zones,
    /// discovery; then the address policies.
    package var stages: QueryStages {
        var local: [any LocalAnswerStage] = []
        if let table = self.local, !table.isEmpty { local.append(LocalDataStage(table: table)) }
        if let blocklists { local.append(blocklists) }
        if let table = self.local, !table.isEmpty { local.append(ServedZonesStage(table: table)) }
        if let discovery { local.append(discovery) }
        return QueryStages(localAnswers: local).addingAddressPolicies(of: configuration)
    }
}

/// The stage parts in force for one service: each change is made and installed under one lock,
/// so two changes (a hosts file re-read on the daemon's queue, a reload) cannot install out of
/// order, and each installs a new answer generation (``ResolverService/install(_:)``).
package final class InstalledStages: Sendable {
    /// The service the stages are installed in.
    private let service: ResolverService
    /// The parts in force.
    private let parts: Mutex<StageParts>

    /// Installs `parts` in `service`.
    package init(_ parts: StageParts, in service: ResolverService) {
        self.service = service
        self.parts = Mutex(parts)
        service.install(parts.stages)
    }

    /// The parts in force.
    package var current: StageParts { parts.withLock { $0 } }

    /// Changes some parts and installs them all.
    package func update(_ change: (inout StageParts) -> Void) {
        parts.withLock { parts in
            change(&parts)
            service.install(parts.stages)
        }
    }
}

/// Builds the local table of a configuration: its `local.data` and `local.zones`, the records of
/// its hosts files read now, the served zones unless `local.served-zones` is false, yielding to
/// its stub and forward zones.
package enum LocalTableLoader {
    /// The largest hosts file read: far above any real one, a bound on a runaway file.
    package static let maxHostsFileBytes = 64 << 20

    /// The table. Runs on the caller's queue (the daemon's control queue), never a listener's.
    /// - Throws: ``LocalZonesError`` naming the hosts file (and line) that cannot be read or used,
    ///   or the configuration line whose record the table refuses.
    package static func load(_ configuration: Configuration) throws(LocalZonesError) -> LocalZoneTable {
        var records = configuration.local.data
        for path in configuration.local.hostsFiles {
            records += try HostsFile.records(text: try read(path), source: path)
        }
        return try LocalZoneTable(
            records: records, zones: configuration.local.zones, servedZones: configuration.local.servedZones,
            // The single place stub and forward zone names reach the served zones.
            delegations: configuration.resolution.configuredZoneNames)
    }

    /// The text of `path`.
    static func read(_ path: String) throws(LocalZonesError) -> String {
        guard let file = fopen(path, "r") else {
            throw LocalZonesError(source: path, line: 0, "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes += chunk.prefix(count)
            guard bytes.count <= maxHostsFileBytes else {
                throw LocalZonesError(source: path, line: 0, "larger than \(maxHostsFileBytes >> 20) MiB")
            }
        }
        if ferror(file) != 0 {
            throw LocalZonesError(source: path, line: 0, "cannot read: \(String(cString: strerror(errno)))")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
