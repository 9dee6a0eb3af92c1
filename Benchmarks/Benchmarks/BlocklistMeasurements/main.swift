// Primary responsibilities: what a one-million-name blocklist costs — seconds to load (domain list,
// hosts file, RPZ), bytes per name by the list's own accounting and by RSS, the peak RSS while a
// second copy loads beside the first (what a reload's swap holds at once), and lookups per second.
//
// Run: swift run -c release BlocklistMeasurements [names]   (from Benchmarks/; default 1000000)

import Blocklists
import DNSWire

#if canImport(Glibc)
    import Glibc
#endif

/// A field of /proc/self/status in bytes (`VmRSS`, `VmHWM`).
func status(_ field: String) -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field + ":") {
            let digits = text.split(separator: " ").dropFirst().first { Int($0) != nil }
            return (digits.flatMap { Int($0) } ?? 0) * 1024
        }
    }
    return 0
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0: `echo 5 > /proc/self/clear_refs`).
func resetPeak() {
    guard let file = fopen("/proc/self/clear_refs", "w") else { return }
    fputs("5", file)
    fclose(file)
}

/// glibc's `malloc_trim`, which the Glibc module does not export.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

/// Gives freed memory back to the system, so RSS shows what is held.
func trimHeap() { _ = mallocTrim(0) }

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// This thread's CPU time in seconds: unaffected by other processes competing for the cores.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// Megabytes, one decimal.
func mb(_ bytes: Int) -> String { "\((Double(bytes) / 1_048_576 * 10).rounded() / 10) MB" }

/// A deterministic generator (SplitMix64), so every run lists the same names.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The `index`th name: two to four labels, 20–30 characters, like the names of real ad lists
/// (`ads-3f9a2c.tracker17.example.com`).
func name(_ index: Int) -> String {
    var random = SplitMix(state: UInt64(index))
    let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    let first = String((0..<(6 + Int(random.next() % 8))).map { _ in letters[Int(random.next() % 36)] })
    let tlds = ["com", "net", "org", "io", "example"]
    let labels = 1 + Int(random.next() % 2)
    var parts = [first]
    if labels == 2 { parts.append("cdn\(random.next() % 1000)") }
    parts.append("site\(index % 50_000)")
    parts.append(tlds[index % tlds.count])
    return parts.joined(separator: ".")
}

/// Writes `count` lines made by `line` to `path`, in 1 MB blocks.
func write(_ path: String, count: Int, header: String = "", _ line: (Int) -> String) {
    guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
    defer { fclose(file) }
    fputs(header, file)
    var block = ""
    for index in 0..<count {
        block += line(index)
        block += "\n"
        if block.utf8.count > 1 << 20 {
            fputs(block, file)
            block = ""
        }
    }
    fputs(block, file)
}

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let folder = "/tmp/mamori-blocklist-bench-\(getpid())"
mkdir(folder, 0o700)
let domains = folder + "/domains.txt"
let hosts = folder + "/hosts.txt"
let rpz = folder + "/rpz.zone"
write(domains, count: count) { name($0) }
write(hosts, count: count, header: "127.0.0.1 localhost\n") { "0.0.0.0 " + name($0) }
write(rpz, count: count, header: "$TTL 300\n$ORIGIN rpz.local.\n@ SOA ns hostmaster 1 3600 600 86400 300\n  NS ns\n") {
    name($0) + " CNAME ."
}
var info = stat()
stat(domains, &info)
print("\(count) names; domain list \(mb(Int(info.st_size))) on disk")
trimHeap()
let baseline = status("VmRSS")
print("RSS before loading: \(mb(baseline))")

func measureLoad(_ label: String, _ path: String, _ format: BlocklistFormat) -> Blocklist {
    trimHeap()
    let before = status("VmRSS")
    resetPeak()
    let start = ContinuousClock.now
    let cpuStart = threadCPUSeconds()
    let list = try! Blocklist.load(path: path, format: format)
    let took = seconds(since: start)
    let cpu = threadCPUSeconds() - cpuStart
    trimHeap()
    let after = status("VmRSS")
    let peak = status("VmHWM")
    print(
        "\(label): \(list.count) names in \((took * 100).rounded() / 100) s (\((cpu * 100).rounded() / 100) s of CPU); own accounting \(list.byteCount / list.count) bytes/name (\(mb(list.byteCount))); RSS +\(mb(after - before)) = \((after - before) / list.count) bytes/name; peak RSS during the load +\(mb(peak - before))"
    )
    return list
}

var first: Blocklist? = measureLoad("domains", domains, .domains)
_ = measureLoad("hosts", hosts, .hosts)
_ = measureLoad("rpz", rpz, .rpz)

// A reload's swap: the installed list stays while its successor loads, then goes.
trimHeap()
let held = status("VmRSS")
resetPeak()
var second: Blocklist? = try! Blocklist.load(path: domains, format: .domains)
let swapPeak = status("VmHWM")
first = nil
trimHeap()
let afterSwap = status("VmRSS")
print(
    "swap: RSS with one list \(mb(held)); peak while the second loads \(mb(swapPeak)) (\(((Double(swapPeak - baseline) / Double(held - baseline)) * 100).rounded() / 100)× the first list's share); after the old one is dropped \(mb(afterSwap))"
)

// A reload of a list that changed by 1 %: built as an overlay on the installed list's table.
let changedPath = folder + "/domains-changed.txt"
write(changedPath, count: count) { $0 % 100 == 7 ? "changed-" + name($0) : name($0) }
trimHeap()
let heldBeforeOverlay = status("VmRSS")
resetPeak()
let overlayStart = threadCPUSeconds()
let overlay = try! Blocklist.load(path: changedPath, format: .domains, replacing: second)
let overlayCPU = threadCPUSeconds() - overlayStart
let overlayPeak = status("VmHWM")
precondition(overlay.isOverlay && overlay.count == count, "a 1 % change is an overlay of the same size")
print(
    "overlay swap (1 % of names changed): \((overlayCPU * 100).rounded() / 100) s of CPU; peak above the held list +\(mb(overlayPeak - heldBeforeOverlay)) (\(((Double(overlayPeak - baseline) / Double(heldBeforeOverlay - baseline)) * 100).rounded() / 100)× the first list's share); the overlay's own bytes \(mb(overlay.byteCount - second!.byteCount))"
)
unlink(changedPath)

// Lookups: half listed names (or names below them), half not.
let list = second!
var queries: [DomainName] = []
for index in 0..<200_000 {
    let text = index % 2 == 0 ? "www." + name(index * 5 % count) : name(index) + ".absent"
    queries.append(try! DomainName(text))
}
var hits = 0
let lookupStart = threadCPUSeconds()
for _ in 0..<5 {
    for query in queries where list.match(query) != nil { hits += 1 }
}
let took = threadCPUSeconds() - lookupStart
precondition(hits == 5 * 100_000, "every listed name is found, no other: \(hits)")
print("lookups: \(Int((Double(queries.count * 5) / took).rounded())) per second of CPU (one thread, half hits)")
let overlayLookupStart = threadCPUSeconds()
var overlayHits = 0
for _ in 0..<5 {
    for query in queries where overlay.match(query) != nil { overlayHits += 1 }
}
let overlayTook = threadCPUSeconds() - overlayLookupStart
print(
    "lookups in the overlay: \(Int((Double(queries.count * 5) / overlayTook).rounded())) per second of CPU (\(overlayHits / 5) hits)"
)
second = nil
for path in [domains, hosts, rpz] { unlink(path) }
rmdir(folder)
