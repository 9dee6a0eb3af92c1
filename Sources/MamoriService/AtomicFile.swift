// Primary responsibilities: the one way the service writes state to disk (the cache dump, its
// identity, the RFC 5011 trust-anchor state): a temporary file beside the target, flushed, renamed
// over it, then the directory flushed, so a crash or power cut leaves the old file or the new one,
// never half of either.

#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file reads and crash-safe replacements.
enum AtomicFile {
    /// A write or read that failed, with the `errno` text.
    struct Failure: Error, CustomStringConvertible {
        /// What was being done, naming the file: `cannot write /var/lib/mamori/cache.dump.tmp.42`.
        let action: String
        /// Why it failed: the `errno` text, or the bound that was passed.
        let problem: String
        /// `ACTION: PROBLEM`.
        var description: String { "\(action): \(problem)" }
    }

    /// Replaces `path`'s content with `bytes`: temporary file (`PATH.tmp.PID`), `fsync`, `rename(2)`
    /// (atomic within a file system), directory `fsync` (so the rename survives a power cut).
    /// A failure leaves the old file as it was and no temporary file behind.
    /// - Parameter mode: the permission bits of a new file.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o640) throws(Failure) {
        let temporary = "\(path).tmp.\(getpid())"
        _ = unlink(temporary)  // a leftover of a crashed write by a process with our pid
        if let problem = writeFlushed(temporary, bytes: bytes, mode: mode) {
            _ = unlink(temporary)
            throw Failure(action: "cannot write \(temporary)", problem: problem)
        }
        guard rename(temporary, path) == 0 else {
            let problem = describe(errno)
            _ = unlink(temporary)
            throw Failure(action: "cannot rename \(temporary) to \(path)", problem: problem)
        }
        syncDirectory(of: path)
    }

    /// The whole content of `path`, or nil when it does not exist.
    /// - Parameter limit: the most bytes accepted; a larger file is refused (a bound on a bad file).
    static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(action: "cannot open \(path)", problem: describe(errno))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(action: "cannot read \(path)", problem: describe(errno))
            }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
            guard bytes.count <= limit else {
                throw Failure(action: "cannot read \(path)", problem: "larger than \(limit) bytes")
            }
        }
    }

    /// Deletes `path`; a missing file is not an error.
    static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// Creates `path` exclusively, writes `bytes`, flushes and closes it; the problem, or nil.
    private static func writeFlushed(_ path: String, bytes: [UInt8], mode: mode_t) -> String? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return describe(errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let problem = describe(errno)
                close(descriptor)
                return problem
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            let problem = describe(errno)
            close(descriptor)
            return problem
        }
        guard close(descriptor) == 0 else { return describe(errno) }
        return nil
    }

    /// Flushes the directory holding `path`; failures only cost durability and are ignored.
    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// `strerror` text.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
