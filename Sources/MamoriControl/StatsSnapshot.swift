// Primary responsibilities: `mamorictl stats --since-last` without a reset in the daemon — the
// values of one `stats` answer, kept by the client, and what changed since the previous ones.

/// The `name value` lines of a `stats` answer, in order.
package struct StatsSnapshot: Hashable, Sendable {
    /// The values, in the daemon's order.
    package var values: [Entry]
    /// Most lines read from a snapshot (a bound on a damaged or foreign checkpoint file).
    package static let maxValues = 10_000

    /// One value.
    package struct Entry: Hashable, Sendable {
        /// The name, e.g. `cache.hits`.
        package var name: String
        /// The value.
        package var value: Int64
    }

    /// The values of `lines` (a `stats` answer or a checkpoint file); lines that are not
    /// `name integer` are left out.
    package init(lines: [String]) {
        values = lines.prefix(Self.maxValues).compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 2, let value = Int64(words[1]) else { return nil }
            return Entry(name: String(words[0]), value: value)
        }
    }

    /// The lines a checkpoint file holds: the `stats` answer as it came.
    package var lines: [String] { values.map { "\($0.name) \($0.value)" } }

    /// Whether `name` is a level (sizes, entries, waiting queries, the process's facts), printed as
    /// it is now; every other value is a counter since the daemon started, printed as its change.
    package static func isGauge(_ name: String) -> Bool {
        name.hasPrefix("process.") || name.contains(".entries") || name.hasSuffix("bytes")
            || name == "queries.waiting" || name == "requests.in-flight"
    }

    /// What changed since `previous`: a first line saying since when (`since: N s` or
    /// `since: daemon start (…)`), then each counter's change and each level as it is now. With no
    /// previous snapshot, or one taken before the daemon restarted (another `process.pid`, or less
    /// uptime), counters count from zero.
    package func delta(since previous: StatsSnapshot?) -> [String] {
        let now = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var before = previous.map { Dictionary($0.values.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        var since: String
        if let old = before, old["process.pid"] == now["process.pid"],
            let then = old["process.uptime-seconds"], let uptime = now["process.uptime-seconds"], uptime >= then
        {
            since = "since: \(uptime - then) s"
        } else {
            since = "since: daemon start (" + (before == nil ? "no previous values" : "the daemon restarted") + ")"
            before = nil
        }
        var lines = [since]
        for entry in values where entry.name != "process.pid" {
            let shown = Self.isGauge(entry.name) ? entry.value : entry.value - (before?[entry.name] ?? 0)
            lines.append("\(entry.name) \(shown)")
        }
        return lines
    }

    /// Whether `name` may name a checkpoint: letters, digits, `-` and `_`, 1–64 of them (it
    /// becomes part of a file name).
    package static func isValidCheckpoint(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
    }
}
