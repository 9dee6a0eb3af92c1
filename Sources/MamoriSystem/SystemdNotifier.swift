// Primary responsibilities: telling systemd how the daemon is doing (sd_notify(3)): READY=1 once
// every socket is bound, STATUS= lines, RELOADING=1 / READY=1 around a reload, STOPPING=1, and
// WATCHDOG=1 pings at half of WatchdogSec= while the listener queues keep turning.

import CSystemd
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Sends notifications to the service manager; does nothing when not started by one.
package final class SystemdNotifier: Sendable {
    /// The watchdog timer, when WatchdogSec= is set.
    private let watchdog = Mutex<WatchdogTimer?>(nil)

    /// Creates a notifier.
    package init() {}

    /// True when NOTIFY_SOCKET is set, that is systemd (or a test) listens.
    package var isActive: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends newline-separated `KEY=VALUE` assignments.
    /// - Returns: true when sent.
    @discardableResult
    package func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// READY=1 with a status line (after every socket is bound).
    package func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }

    /// RELOADING=1 with the monotonic time systemd 253+ asks for (ignored by older ones).
    package func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=Reloading configuration")
    }

    /// STOPPING=1 with a status line.
    package func stopping() { notify("STOPPING=1\nSTATUS=Stopping") }

    /// STATUS= alone.
    package func status(_ text: String) { notify("STATUS=\(text)") }

    /// The watchdog interval systemd asks for (WATCHDOG_USEC), or nil.
    package var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }

    /// Pings WATCHDOG=1 every half interval, but only while `isAlive` says the daemon still
    /// serves (a wedged listener queue then gets the service restarted, as systemd intends).
    /// - Parameter isAlive: called on a private queue before each ping.
    package func startWatchdog(isAlive: @escaping @Sendable () -> Bool) {
        guard let interval = watchdogInterval else { return }
        let (seconds, attoseconds) = interval.components
        let halfMicroseconds = max(1000, (seconds * 1_000_000 + attoseconds / 1_000_000_000_000) / 2)
        let queue = DispatchQueue(label: "mamori.watchdog")
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let period = DispatchTimeInterval.microseconds(Int(halfMicroseconds))
        timer.schedule(deadline: .now(), repeating: period, leeway: .milliseconds(10))
        timer.setEventHandler { [self] in
            if isAlive() { notify("WATCHDOG=1") }
        }
        let box = WatchdogTimer(timer: timer, queue: queue)
        watchdog.withLock { $0 = box }
        queue.async { box.resume() }
    }

    /// Stops the pings.
    package func stopWatchdog() {
        let box = watchdog.withLock { current in
            defer { current = nil }
            return current
        }
        box?.queue.sync { box?.cancel() }
    }
}

/// The watchdog's timer source and its queue.
///
/// `@unchecked Sendable` invariant: `timer` is resumed and cancelled only on `queue` (checked
/// with `dispatchPrecondition`).
private final class WatchdogTimer: @unchecked Sendable {
    /// The timer.
    private let timer: any DispatchSourceTimer
    /// The queue it fires on.
    let queue: DispatchQueue

    /// Wraps a timer not yet resumed.
    init(timer: any DispatchSourceTimer, queue: DispatchQueue) {
        self.timer = timer
        self.queue = queue
    }

    /// Starts it.
    func resume() {
        dispatchPrecondition(condition: .onQueue(queue))
        timer.resume()
    }

    /// Stops it.
    func cancel() {
        dispatchPrecondition(condition: .onQueue(queue))
        timer.cancel()
    }
}
