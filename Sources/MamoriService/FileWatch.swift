// Primary responsibilities: noticing that files changed — a cheap check of each file's device,
// inode, size and modification time every second on a Dispatch timer — so what is built from
// them (hosts files into local data; blocklists may use it too) is rebuilt without a reload.

import Dispatch

/// Watches files for changes: every ``interval`` it takes each file's ``FileIdentity`` (one
/// `stat(2)` a file) and, when any differs from what the owner last read, calls `changed` on the
/// owner's queue. Replacing a file by rename (editors, `mv`, configuration management) changes
/// its inode; editing in place changes its size or modification time; a file that disappears or
/// comes back changes too.
///
/// `@unchecked Sendable` invariant: `watched` is read and written only on `queue`.
package final class FileWatch: @unchecked Sendable {
    /// How often the files are checked: a change is seen within this, and the check costs one
    /// `stat(2)` a file.
    package static let interval = DispatchTimeInterval.seconds(1)

    /// The queue the checks and `changed` run on.
    private let queue: DispatchQueue
    /// The timer.
    private let timer: any DispatchSourceTimer
    /// The files, each with its identity when the owner last read it (nil: unreadable then).
    private var watched: [String: FileIdentity?] = [:]

    /// Starts watching nothing; `changed` is called on `queue` with the paths that changed.
    package init(queue: DispatchQueue, changed: @escaping @Sendable ([String]) -> Void) {
        self.queue = queue
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let moved = self.watched.filter { FileIdentity(path: $0.key) != $0.value }.map(\.key).sorted()
            if !moved.isEmpty { changed(moved) }
        }
        timer.activate()
    }

    /// Watches `files` from now on, as the owner read them. Call on `queue`.
    package func watch(_ files: [String: FileIdentity?]) {
        dispatchPrecondition(condition: .onQueue(queue))
        watched = files
    }

    /// Stops the checks.
    package func stop() {
        timer.cancel()
    }

    deinit { timer.cancel() }
}
