// Primary responsibilities: the RFC 5011 state file on disk — reading it at start-up, writing it atomically
// (AtomicFile: a temporary file in the state directory, flushed, then renamed over the old one), and running read-only
// with a loud warning when the directory cannot be written, never refusing to start.

import DNSSEC
import DNSWire
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The file that keeps RFC 5011 trust-anchor state across restarts (RFC 5011 §2.4: hold-down timers and
/// revocations must survive them), in the daemon's state directory (`/var/lib/mamori` by default, systemd's
/// `StateDirectory=`).
///
/// Writes never leave a half-written file: the text goes to a temporary file in the same directory, is
/// flushed with `fsync`, and is renamed over the old file (`rename(2)` is atomic within a file system), then
/// the directory is flushed so the rename survives a power cut. When the directory cannot be written the
/// daemon still validates with the anchors it has — refusing to start would take DNS away from every client
/// for want of a bookkeeping file — and says so loudly: hold-downs then restart at every start (RFC 5011 §2.4),
/// which delays but never forges a key change.
package final class TrustAnchorStateFile: Sendable {
    /// The file's name in the state directory.
    package static let defaultFileName = "trust-anchors.state"
    /// The largest state file read: far above any real state (a few keys per zone), a bound on a bad file.
    package static let maximumSize = 1 << 20

    /// The state directory.
    package let directory: String
    /// The state file's path.
    package let path: String
    /// Where warnings go.
    private let logger: Logger
    /// True when the directory could not be written at start-up: writes are skipped.
    private let readOnly: Mutex<Bool>

    /// Prepares the state file in `directory`, creating the directory when missing and probing that a file can
    /// be created there; otherwise logs a warning and runs read-only.
    ///
    /// - Parameters:
    ///   - directory: the state directory (absolute).
    ///   - fileName: the file's name in it.
    ///   - logger: where the warnings go.
    ///   - readOnly: never write (another instance owns the directory: ``StateDirectoryLock``).
    package init(
        directory: String, fileName: String = TrustAnchorStateFile.defaultFileName, logger: Logger,
        readOnly: Bool = false
    ) {
        self.directory = directory
        self.path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        self.logger = logger
        self.readOnly = Mutex(readOnly)
        if !readOnly, let problem = Self.probeWritable(directory) {
            self.readOnly.withLock { $0 = true }
            logger.warning(
                """
                RFC 5011 trust-anchor state directory \(directory) is not writable (\(problem)): running READ-ONLY; \
                trust-anchor changes are kept in memory only and key rollover hold-downs restart at every start. \
                Make the directory writable by the daemon's user.
                """)
        }
    }

    /// Whether writes are skipped because the directory was not writable at start-up.
    package var isReadOnly: Bool { readOnly.withLock { $0 } }

    // MARK: - Reading

    /// The file's text, or `nil` when there is no file yet (first start) or it cannot be read (logged).
    package func read() -> String? {
        do {
            guard let bytes = try AtomicFile.read(path, limit: Self.maximumSize) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            logger.warning("\(error) (the RFC 5011 trust-anchor state); starting from the configured trust anchors")
            return nil
        }
    }

    /// Reads the file into `store` (RFC 5011 §2.4: hold-downs survive restarts).
    ///
    /// A file that does not parse is moved aside to `<path>.bad` (when writable) and ignored with a warning:
    /// the store keeps its configured anchors, and the next write replaces the file.
    /// - Returns: the zones restored.
    @discardableResult
    package func restore(into store: TrustAnchorStore) -> [DomainName] {
        guard let text = read() else { return [] }
        do {
            return try store.restoreManagedState(text, source: path)
        } catch {
            logger.warning("ignoring the RFC 5011 trust-anchor state: \(error); starting from the configured anchors")
            if !isReadOnly { _ = rename(path, path + ".bad") }
            return []
        }
    }

    // MARK: - Writing

    /// Writes `store`'s RFC 5011 state (``TrustAnchorStore/serialisedManagedState()``) atomically.
    /// - Returns: whether the file now holds it.
    @discardableResult
    package func save(_ store: TrustAnchorStore) -> Bool {
        write(store.serialisedManagedState())
    }

    /// Replaces the file's content with `text` (``AtomicFile/write(_:to:mode:)``).
    ///
    /// Skipped (returning false) when read-only. A failure is logged as a warning and leaves the old file as it
    /// was; the state stays in memory and the next change tries again.
    /// - Returns: whether the file now holds `text`.
    @discardableResult
    package func write(_ text: String) -> Bool {
        guard !isReadOnly else { return false }
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
            return true
        } catch {
            logger.warning("\(error) (the RFC 5011 trust-anchor state)")
            return false
        }
    }

    // MARK: - POSIX helpers

    /// Whether a file can be created in `directory` (made when missing); the problem, or nil when it can.
    ///
    /// A real probe rather than `access(2)`: that answers for the real user id and knows nothing of read-only
    /// mounts or systemd's `ProtectSystem=`.
    private static func probeWritable(_ directory: String) -> String? {
        var status = stat()
        if stat(directory, &status) != 0 {
            guard errno == ENOENT else { return describe(errno) }
            guard mkdir(directory, 0o755) == 0 else { return "cannot create it: " + describe(errno) }
        } else if status.st_mode & S_IFMT != S_IFDIR {
            return "not a directory"
        }
        let probe = directory + "/.mamori-write-probe.\(getpid())"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return describe(errno) }
        close(descriptor)
        _ = unlink(probe)
        return nil
    }

    /// `strerror` text for an errno value.
    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }
}
