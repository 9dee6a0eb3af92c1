// Primary responsibilities: replaying the fuzzer's seed corpus (Tests/Fuzz/corpus) with the same
// property the libFuzzer entry checks, so CI keeps every past finding fixed without libFuzzer.

import DNSWire
import Glibc
import Testing

/// The libFuzzer round-trip property over every file of the seed corpus.
@Suite struct FuzzCorpusTests {
    /// The corpus folder, found from this file's path (no resource bundles).
    static let corpus: String = {
        let thisFile = "\(#filePath)"
        let tests = thisFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
        return tests.joined(separator: "/") + "/Fuzz/corpus"
    }()

    /// Every corpus file parses or throws, and what parses round-trips.
    @Test func corpusRoundTrips() throws {
        let files = try Fixtures.list(Self.corpus)
        #expect(files.count >= 24, "the seed corpus looks empty")
        for file in files {
            let bytes = try Fixtures.read(Self.corpus + "/" + file)
            if let failure = roundTripFailure(bytes) { Issue.record("\(file): \(failure)") }
        }
    }
}

/// Reading fixture files without Foundation.
enum Fixtures {
    /// A failure to read a fixture.
    struct ReadError: Error, CustomStringConvertible {
        /// What failed.
        var description: String
    }

    /// The regular files in a folder, sorted.
    static func list(_ folder: String) throws -> [String] {
        guard let directory = opendir(folder) else { throw ReadError(description: "cannot open \(folder)") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    /// A file's bytes.
    static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ReadError(description: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
