// Primary responsibilities: giving memory back to the system after a flood. glibc keeps freed heap
// in its per-thread arenas (Dispatch runs many threads, so there are many arenas) and trims only the
// top of each; after a burst of queries the daemon would keep its peak size for good.

import CMamoriProcess
import Dispatch
import Foundation
import Logging

/// Every ``interval`` compares the resident size with what it was after the last trim; when it grew
/// by ``threshold`` and the allocator holds at least ``threshold`` free, the load has fallen since the
/// peak, and the free pages go back to the kernel (`malloc_trim`). While the load lasts the heap is in
/// use, nothing is free, and nothing is done.
final class HeapReturn {
    /// How often the heap is looked at.
    static let interval: DispatchTimeInterval = .seconds(10)
    /// Growth and free space below this are not worth a trim (which walks every arena).
    static let threshold = 32 << 20

    /// The timer, kept alive.
    private let timer: any DispatchSourceTimer

    /// The resident size after the last trim. `@unchecked Sendable`: only the timer's queue uses it.
    private final class Baseline: @unchecked Sendable {
        /// Bytes.
        var resident = HeapReturn.residentBytes()
    }

    /// Starts looking on a utility queue.
    init(logger: Logger) {
        let baseline = Baseline()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "mamori.heap", qos: .utility))
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval, leeway: .seconds(2))
        timer.setEventHandler {
            let resident = Self.residentBytes()
            guard resident >= baseline.resident + Self.threshold,
                CMamoriProcess_heapFreeBytes() >= Self.threshold
            else { return }
            _ = CMamoriProcess_heapTrim()
            baseline.resident = Self.residentBytes()
            logger.info(
                "returned freed heap to the system",
                metadata: [
                    "resident-before": "\(resident >> 20) MiB", "resident-after": "\(baseline.resident >> 20) MiB",
                ])
        }
        timer.resume()
        self.timer = timer
    }

    /// Stops looking.
    func stop() { timer.cancel() }

    /// The resident set size from /proc/self/statm (second field, in pages), 0 when unreadable.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
