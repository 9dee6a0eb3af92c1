// Primary responsibilities: a Prometheus histogram of durations whose recording is a few relaxed
// atomic adds (no lock, no allocation), for the cached query path; and the monotonic clock it reads.

import Glibc
import Synchronization

/// A histogram of durations with fixed buckets for DNS: from 50 µs (a packet-cache replay) to 10 s
/// (a resolution at its limits).
///
/// swift-prometheus's histogram takes a lock per observation; this one is an array of atomic
/// counters, one per bucket, plus an atomic sum, so the cached path pays two atomic adds and a
/// short scan. Buckets are stored non-cumulative and summed at scrape time; `_count` is the sum of
/// every bucket read in that scrape, so it always equals the `+Inf` bucket.
package final class LatencyHistogram: Sendable {
    /// Upper bounds of the buckets in nanoseconds; one more bucket (`+Inf`) holds the rest.
    package static let bounds: [UInt64] = [
        50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]
    /// The `le` label of each bound, in seconds without an exponent.
    package static let boundLabels: [String] = bounds.map { seconds(fromNanoseconds: $0) } + ["+Inf"]

    /// One bucket's count.
    private final class Slot: Sendable {
        /// Observations in this bucket alone (not cumulative).
        let count = Atomic<UInt64>(0)
    }

    /// A copy of the bounds held by the instance: reading a `static let` goes through a
    /// lazy-initialisation check on every access.
    private let limits: [UInt64]
    /// The buckets, `bounds.count + 1` of them.
    private let slots: [Slot]
    /// Sum of every observation, nanoseconds.
    private let sum = Atomic<UInt64>(0)

    /// Creates an empty histogram.
    package init() {
        limits = Self.bounds
        slots = (0...Self.bounds.count).map { _ in Slot() }
    }

    /// Records one duration.
    @inline(__always)
    package func record(nanoseconds: UInt64) {
        var index = 0
        // Bounded by the bucket count; cached answers stop at the first or second bound.
        while index < limits.count, nanoseconds > limits[index] { index += 1 }
        slots[index].count.add(1, ordering: .relaxed)
        sum.add(nanoseconds, ordering: .relaxed)
    }

    /// The cumulative bucket counts (one per ``boundLabels`` entry) and the sum in seconds.
    package func snapshot() -> (cumulative: [UInt64], sumSeconds: Double) {
        var running: UInt64 = 0
        let cumulative = slots.map { slot in
            running &+= slot.count.load(ordering: .relaxed)
            return running
        }
        return (cumulative, Double(sum.load(ordering: .relaxed)) / 1e9)
    }

    /// Appends this histogram's samples (not its HELP and TYPE lines) under `name` with `labels`
    /// (already rendered, `key="value"` pairs joined by commas, or empty).
    package func render(name: String, labels: String, into text: inout String) {
        let (cumulative, sumSeconds) = snapshot()
        let prefix = labels.isEmpty ? "" : labels + ","
        for (label, count) in zip(Self.boundLabels, cumulative) {
            text += "\(name)_bucket{\(prefix)le=\"\(label)\"} \(count)\n"
        }
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        text += "\(name)_sum\(braces) \(sumSeconds)\n"
        text += "\(name)_count\(braces) \(cumulative.last ?? 0)\n"
    }

    /// `nanoseconds` as decimal seconds: 50 000 → "0.00005", 2 500 000 000 → "2.5".
    static func seconds(fromNanoseconds nanoseconds: UInt64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        guard fraction != "0" else { return String(whole) }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}

/// The monotonic clock in nanoseconds (`CLOCK_MONOTONIC`, a vDSO call: no system call, no allocation).
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
