// Primary responsibilities: where `mamorictl stats --since-last` keeps the previous values — one
// file per user and checkpoint, written whole (temporary file and rename), never shared.

import MamoriControl

#if canImport(Glibc)
    import Glibc
#endif

/// The checkpoint files of `stats --since-last`.
enum StatsCheckpointFile {
    /// The largest checkpoint file read.
    static let maximumSize = 1 << 20

    /// `$XDG_RUNTIME_DIR/mamorictl/stats-NAME` (the user's own, cleared at logout), else
    /// `/tmp/mamorictl-UID/stats-NAME`.
    static func path(named name: String) -> String {
        let base: String
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), runtime.hasPrefix("/") {
            base = runtime + "/mamorictl"
        } else {
            base = "/tmp/mamorictl-\(getuid())"
        }
        return base + "/stats-" + name
    }

    /// The snapshot in `path`, or nil when there is none (or it cannot be read, or is not ours).
    static func read(_ path: String) -> StatsSnapshot? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_uid == getuid() else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= maximumSize {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return StatsSnapshot(lines: String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// Writes `snapshot` to `path` (its directory made private to the user when missing); the
    /// problem, or nil.
    static func write(_ snapshot: StatsSnapshot, to path: String) -> String? {
        let directory = String(path[..<path.lastIndex(of: "/")!])
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            return "cannot create \(directory): \(String(cString: strerror(errno)))"
        }
        var status = stat()
        guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else {
            return "\(directory) is not a directory of this user"
        }
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return "cannot write \(temporary): \(String(cString: strerror(errno)))" }
        let bytes = Array(snapshot.lines.map { $0 + "\n" }.joined().utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write \(path): \(problem)"
        }
        return nil
    }
}
