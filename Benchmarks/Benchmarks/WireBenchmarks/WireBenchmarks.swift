// Primary responsibilities: package-benchmark entry for the DNSWire codec: parse and serialise of
// three captured responses (Tests/Fixtures/packets) — a referral with glue, a DNSKEY answer with its
// RRSIG, and a compression-heavy MX answer — one operation being one whole message.

import Benchmark
import DNSWire
import Glibc

/// The golden packets measured, by benchmark label.
let packets: [(label: String, file: String)] = [
    ("referral with glue (root-referral, 411 B)", "root-referral.hex"),
    ("DNSKEY+RRSIG answer (dnskey-rrsig, 303 B)", "dnskey-rrsig.hex"),
    ("compression-heavy answer (compression-mx-rrsig, 1196 B)", "compression-mx-rrsig.hex"),
]

/// Reads a golden packet: `;` lines are comments, the rest is hex. Found from this file's path.
/// - Parameter file: the file name in Tests/Fixtures/packets.
/// - Returns: the message bytes.
func loadPacket(_ file: String) -> [UInt8] {
    let root = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(4)
    let path = root.joined(separator: "/") + "/Tests/Fixtures/packets/" + file
    guard let handle = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(handle) }
    var text: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, handle)
        if count <= 0 { break }
        text += buffer[0..<count]
    }
    var hex: [UInt8] = []
    for line in text.split(separator: 0x0A) where line.first != 0x3B { hex += line.filter { $0 > 0x20 } }
    guard let bytes = BaseEncoding.decodeHex(hex) else { fatalError("\(file) is not hex") }
    return bytes
}

/// The benchmarks package-benchmark runs; see Benchmarks/README.md for the figures.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 100,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    for packet in packets {
        let bytes = loadPacket(packet.file)
        let message = try! Message(parsing: bytes)
        Benchmark("Wire parse \(packet.label)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! Message(parsing: bytes))
            }
        }
        Benchmark("Wire serialise \(packet.label)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! message.serialized(maxSize: 1232))
            }
        }
    }
}
