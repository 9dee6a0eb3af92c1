// Primary responsibilities: one daemon per state directory. Two instances that both load and save
// the same cache dump and RFC 5011 state would each overwrite what the other judged, without a word.

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on `state-directory/mamorid.lock`, held for the life of the process (the
/// kernel releases it when the process ends, however it ends, so a crash leaves no stale lock).
package enum StateDirectoryLock {
    /// The lock file's name inside the state directory.
    package static let fileName = "mamorid.lock"

    /// What taking the lock gave.
    package enum Outcome: Equatable, Sendable {
        /// This process holds it (the descriptor stays open until exit).
        case held
        /// Another process holds it; its PID as it wrote it, when readable.
        case busy(holder: Int32?)
        /// The lock file could not be opened (no such directory, not writable): the reason.
        case unavailable(String)
    }

    /// Creates the directory if missing (mode 0750), then takes the lock and writes our PID in it.
    package static func acquire(in directory: String) -> Outcome {
        mkdir(directory, 0o750)
        let path = directory + "/" + fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return .unavailable("\(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            close(descriptor)
            let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
            return .busy(holder: Int32(text.split(separator: "\n").first ?? ""))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        return .held
    }
}
