// Primary responsibilities: what the local stages cost a query — lookups per second of thread CPU
// time for a name nothing local holds (the common case: every packet-cache miss asks), a private
// reverse name in a served zone, a hosts-file name, and a name under a top-level domain that holds
// local data but not this name — and the time to build the table from a hosts file of N names
// (what a hosts-file change costs the control queue).
//
// Run: swift run -c release LocalZonesMeasurements [names]   (from Benchmarks/; default 10000)

import DNSWire
import LocalZones

#if canImport(Glibc)
    import Glibc
#endif

/// This thread's CPU time in seconds: unaffected by other processes competing for the cores.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

let count = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000

// A hosts file of `count` names in home.arpa., addresses in 10/8.
var text = ""
for index in 0..<count {
    text += "10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255) host\(index).home.arpa host\(index)\n"
}
let started = threadCPUSeconds()
let records = try HostsFile.records(text: text, source: "hosts")
let table = try LocalZoneTable(
    records: records, zones: [LocalZone(name: "corp.example.", type: .static)], servedZones: true,
    delegations: ["lan."])
let built = threadCPUSeconds() - started
print("table of \(count) hosts names (\(records.count) records) + served zones: built in \(built) s of CPU")

/// Lookups per second of CPU for `question` in `part`, and what the last one answered.
func measure(_ label: String, _ question: Question, _ part: LocalZoneTable.Part) {
    let rounds = 1_000_000
    var answered = 0
    let start = threadCPUSeconds()
    for _ in 0..<rounds where table.answer(question, part: part) != nil { answered += 1 }
    let elapsed = threadCPUSeconds() - start
    let rate = Int(Double(rounds) / elapsed)
    print("\(label): \(rate) lookups/s (\(Int(elapsed / Double(rounds) * 1e9)) ns each), answered \(answered)")
}

measure("www.example.com. A, operator part (nothing local)", Question(name: "www.example.com.", type: .a), .operator)
measure("www.example.com. A, served part", Question(name: "www.example.com.", type: .a), .served)
measure(
    "1.0.168.192.in-addr.arpa. PTR, operator part (passes)", Question(name: "1.0.168.192.in-addr.arpa.", type: .ptr),
    .operator)
measure(
    "1.0.168.192.in-addr.arpa. PTR, served part (NXDOMAIN)", Question(name: "1.0.168.192.in-addr.arpa.", type: .ptr),
    .served)
measure("host77.home.arpa. A (hosts file)", Question(name: "host77.home.arpa.", type: .a), .operator)
measure("www.example.arpa. A (under arpa., nothing local)", Question(name: "www.example.arpa.", type: .a), .served)
