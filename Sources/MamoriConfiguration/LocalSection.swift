// Primary responsibilities: the `local` section — local data lines, local zones, hosts files and
// the locally served zones — in LocalZones' vocabulary, decoded with file:line:column: key errors
// (a bad local-data line is reported at its line in the YAML).

import DNSWire
import LocalZones
import Yams

/// Names answered locally (`local`).
package struct LocalSection: Hashable, Sendable {
    /// Records in zone-file syntax (`data`), each with the configuration file and the line it is
    /// written on, so the table's errors point there.
    package var data: [LocalRecord] = []
    /// Zones answered locally (`zones`).
    package var zones: [LocalZone] = []
    /// Hosts-format files read into local data (`hosts-files`), absolute; re-read when they change.
    package var hostsFiles: [String] = []
    /// Whether the locally served zones (RFC 6303, RFC 8375, RFC 6761, RFC 7686) are answered
    /// (`served-zones`); on by default, so such queries never leak to the root.
    package var servedZones = true

    /// The most `data` lines: each is held in memory and checked at every start and reload.
    package static let maxDataLines = 100_000
    /// The most `zones` and `hosts-files` items.
    package static let maxItems = 10_000
    /// The TTL of a `data` line that gives none (Unbound's).
    package static let defaultTTL: UInt32 = 3600

    /// The defaults: nothing local but the served zones.
    package init() {}
}

extension ConfigurationDecoder {
    /// `local: { data: [LINE, ...], zones: [{ name, type }, ...], hosts-files: [PATH, ...], served-zones: BOOL }`.
    mutating func decodeLocal(_ entry: Entry, into section: inout LocalSection) {
        for child in entries(of: entry.value, path: entry.path) {
            switch child.name {
            case "data":
                guard let items = list(child) else { continue }
                section.data = localData(items.prefix(LocalSection.maxDataLines), path: child.path)
                if items.count > LocalSection.maxDataLines {
                    report(child.key, child.path, "more than \(LocalSection.maxDataLines) lines")
                }
            case "zones":
                guard let items = list(child) else { continue }
                if items.count > LocalSection.maxItems {
                    report(child.key, child.path, "more than \(LocalSection.maxItems) zones")
                }
                var zones: [LocalZone] = []
                for (index, item) in items.prefix(LocalSection.maxItems).enumerated() {
                    let path = "\(child.path)[\(index)]"
                    guard let zone = localZone(item, path: path) else { continue }
                    if zones.contains(where: { $0.name == zone.name }) {
                        report(item, path + ".name", "\(zone.name) names an earlier zone too")
                    }
                    zones.append(zone)
                }
                section.zones = zones
            case "hosts-files":
                guard let items = list(child) else { continue }
                if items.count > LocalSection.maxItems {
                    report(child.key, child.path, "more than \(LocalSection.maxItems) files")
                }
                section.hostsFiles = items.prefix(LocalSection.maxItems).enumerated().compactMap { index, item in
                    let itemEntry = Entry(name: "", key: item, value: item, path: "\(child.path)[\(index)]")
                    guard let text = string(itemEntry) else { return nil }
                    return readablePath(text, itemEntry)
                }
            case "served-zones":
                if let value = bool(child) { section.servedZones = value }
            default:
                unknownKey(child)
            }
        }
        checkLocalTable(section, at: entry)
    }

    /// The records of `data` lines, each parsed as zone-file text with the root as origin.
    private mutating func localData(_ items: ArraySlice<Node>, path: String) -> [LocalRecord] {
        var records: [LocalRecord] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard case .scalar(let scalar) = item, !scalar.string.isEmpty else {
                report(
                    item, itemPath,
                    "expected a zone-file line such as \"printer.home.arpa. 300 IN A 192.168.1.10\", got \(describe(item))"
                )
                continue
            }
            do {
                let parsed = try ZoneFileParser(text: scalar.string, defaultTTL: LocalSection.defaultTTL).records()
                if parsed.isEmpty { report(item, itemPath, "expected a record, got \(describe(item))") }
                records += parsed.map { LocalRecord($0, source: file, line: item.mark?.line ?? 0) }
            } catch {
                report(item, itemPath, "bad record: \(error.reason)")
            }
        }
        return records
    }

    /// A `zones` item: `{ name: NAME, type: static|transparent|redirect|refuse|always-nxdomain }`.
    private mutating func localZone(_ node: Node, path: String) -> LocalZone? {
        let types = LocalZoneType.allCases.map(\.rawValue)
        guard case .mapping = node else {
            report(node, path, "expected { name: NAME, type: \(types.joined(separator: "|")) }, got \(describe(node))")
            return nil
        }
        var name: DomainName?
        var type: LocalZoneType?
        for entry in entries(of: node, path: path) {
            switch entry.name {
            case "name":
                name = domainName(entry.value, at: entry.key, path: entry.path)
            case "type":
                if case .scalar(let scalar) = entry.value, let value = LocalZoneType(rawValue: scalar.string) {
                    type = value
                } else {
                    report(
                        entry.key, entry.path,
                        "expected \(types.dropLast().joined(separator: ", ")) or \(types.last!), got \(describe(entry.value))"
                    )
                }
            default:
                unknownKey(entry)
            }
        }
        for key in ["name", "type"] where !hasKey(node, key) { report(node, path, "missing key \(key)") }
        guard let name, let type else { return nil }
        return LocalZone(name: name, type: type)
    }

    /// Builds the table of the section's own data and zones, so what the table refuses (a CNAME
    /// beside other data, data below a redirect apex, …) is reported at its line now, at start and
    /// by `--check-config`, not first when the daemon installs it.
    private mutating func checkLocalTable(_ section: LocalSection, at entry: Entry) {
        guard diagnostics.isEmpty else { return }
        do {
            _ = try LocalZoneTable(records: section.data, zones: section.zones, servedZones: false, delegations: [])
        } catch {
            guard error.source != "local.zones", case .mapping(let mapping) = entry.value,
                case .sequence(let items)? = mapping["data"],
                let index = items.firstIndex(where: { $0.mark?.line == error.line })
            else {
                report(entry.key, "\(entry.path).\(error.source == "local.zones" ? "zones" : "data")", error.reason)
                return
            }
            report(items[index], "\(entry.path).data[\(index)]", error.reason)
        }
    }
}
