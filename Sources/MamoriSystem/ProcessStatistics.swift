// Primary responsibilities: the daemon's own CPU time, memory, file descriptors and start time,
// read from /proc at each scrape for the Prometheus `process_*` metrics.

import Glibc

/// What the Prometheus client libraries export as `process_*`, read from Linux's /proc (proc(5)).
package struct ProcessStatistics: Sendable, Equatable {
    /// User and system CPU time, seconds (`utime` + `stime` of /proc/self/stat).
    package var cpuSeconds: Double
    /// Resident set size, bytes (`rss` pages × the page size).
    package var residentBytes: Int
    /// Virtual memory size, bytes (`vsize`).
    package var virtualBytes: Int
    /// Open file descriptors (entries of /proc/self/fd).
    package var openFileDescriptors: Int
    /// The soft limit on open file descriptors (RLIMIT_NOFILE).
    package var maxFileDescriptors: Int
    /// When the process started, seconds since the Unix epoch (`btime` of /proc/stat plus `starttime`).
    package var startTimeSeconds: Double

    /// At most this many /proc/self/fd entries are counted: more than any limit the daemon runs under.
    static let maxCountedDescriptors = 1 << 22
    /// The most bytes read from one /proc file.
    static let maxProcFileBytes = 64 * 1024

    /// Reads the figures of this process now; nil when /proc is not there or not understood.
    package static func current() -> ProcessStatistics? {
        guard let stat = readFile("/proc/self/stat"), let boot = bootTime() else { return nil }
        // The command name, field 2, is in parentheses and may hold spaces: fields are counted
        // after its closing parenthesis, where field 3 (`state`) starts (proc(5)).
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(whereSeparator: { $0 == 0x20 || $0 == 0x0A }).map {
            String(decoding: $0, as: UTF8.self)
        }
        // fields[0] is field 3; field n is at n - 3.
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let start = Double(fields[19]), let vsize = Int(fields[20]), let rss = Int(fields[21])
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return ProcessStatistics(
            cpuSeconds: (utime + stime) / ticks, residentBytes: rss * page, virtualBytes: vsize,
            openFileDescriptors: openDescriptors(), maxFileDescriptors: Int(clamping: limit.rlim_cur),
            startTimeSeconds: boot + start / ticks)
    }

    /// The boot time, seconds since the epoch: the `btime` line of /proc/stat.
    private static func bootTime() -> Double? {
        guard let stat = readFile("/proc/stat") else { return nil }
        for line in stat.split(separator: 0x0A) where line.starts(with: Array("btime ".utf8)) {
            return Double(String(decoding: line.dropFirst(6), as: UTF8.self))
        }
        return nil
    }

    /// The entries of /proc/self/fd, less `.`, `..` and the directory's own descriptor.
    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while count < maxCountedDescriptors, let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }

    /// The bytes of a /proc file (whose stat size is 0, so it is read until end of file).
    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < maxProcFileBytes {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return bytes
    }
}
