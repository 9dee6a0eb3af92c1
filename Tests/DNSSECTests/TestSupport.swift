// Primary responsibilities: loading the test fixtures (zone files signed by ldns-signzone, the RFC 5155
// example records) through DNSWire's zone-file parser, and the small helpers the DNSSEC tests share.

import DNSSEC
import DNSWire
import Foundation
import Testing

/// Times used across the tests, seconds since 1970 (the fixtures are valid 2026-01-01 … 2036-01-01).
enum Clock {
    /// 2030-01-01 00:00:00 UTC: inside every fixture's validity period.
    static let inside: UInt32 = 1_893_456_000
    /// 2025-06-01 00:00:00 UTC: before the fixtures' inception.
    static let beforeInception: UInt32 = 1_748_736_000
    /// 2037-01-01 00:00:00 UTC: after the fixtures' expiration.
    static let afterExpiration: UInt32 = 2_114_380_800
    /// 2036-01-01 00:00:00 UTC: the fixtures' expiration.
    static let expiration: UInt32 = 2_082_758_400
}

/// A parsed zone, grouped into RRsets with their RRSIGs.
struct Zone {
    /// The zone apex.
    let origin: DomainName
    /// Every RRset of the file.
    let rrsets: [RRSet]

    /// Loads `Fixtures/<name>` relative to this source file.
    init(fixture name: String, origin: DomainName) throws {
        let text = try Fixture.text(name)
        self.origin = origin
        self.rrsets = RRSet.group(try ZoneFileParser(text: text, origin: origin).records())
    }

    /// Parses zone-file text.
    init(text: String, origin: DomainName) throws {
        self.origin = origin
        self.rrsets = RRSet.group(try ZoneFileParser(text: text, origin: origin).records())
    }

    /// The RRset at `name` of `type`; records a test failure and traps the test when absent.
    func rrset(_ name: String, _ type: RRType) throws -> RRSet {
        let owner = try DomainName(name, origin: origin)
        return try #require(rrsets.first { $0.name == owner && $0.type == type }, "no \(type) at \(owner)")
    }

    /// Every RRset of a type.
    func all(_ type: RRType) -> [RRSet] { rrsets.filter { $0.type == type } }
}

/// Access to files in the Fixtures folder next to this file.
enum Fixture {
    /// The folder holding the fixtures.
    static let folder: String = {
        let path = #filePath
        return String(path[..<path.lastIndex(of: "/")!]) + "/Fixtures/"
    }()

    /// The text of a fixture file.
    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: folder + name, encoding: .utf8)
    }

    /// The DS records of a fixture zone (`<name>.ds`).
    static func ds(_ name: String, origin: DomainName) throws -> [DS] {
        let records = try ZoneFileParser(text: try text(name + ".ds"), origin: origin).records()
        return records.compactMap { record in
            if case .ds(let ds) = record.rdata { return ds }
            return nil
        }
    }
}

/// The DNSKEY records of an RRset.
func dnskeys(of rrset: RRSet) -> [DNSKEY] {
    rrset.rdatas.compactMap { rdata in
        if case .dnskey(let key) = rdata { return key }
        return nil
    }
}

/// A copy of `bytes` with one bit flipped at `index`.
func flipping(_ bytes: [UInt8], at index: Int) -> [UInt8] {
    var copy = bytes
    copy[index] ^= 0x01
    return copy
}

/// Decodes hex text, ignoring whitespace and `;` comments to the end of a line.
func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var high: UInt8? = nil
    var inComment = false
    for character in text.utf8 {
        if character == 0x0A {
            inComment = false
            continue
        }
        if inComment { continue }
        if character == 0x3B {
            inComment = true
            continue
        }
        let nibble: UInt8
        switch character {
        case 0x30...0x39: nibble = character - 0x30
        case 0x41...0x46: nibble = character - 0x41 + 10
        case 0x61...0x66: nibble = character - 0x61 + 10
        default: continue
        }
        if let first = high {
            bytes.append(first << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return bytes
}

/// Expects a bogus outcome with the given EDE code.
func expectBogus<Value>(
    _ outcome: ValidationOutcome<Value>, _ code: EDECode, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .bogus(let reason) = outcome else {
        Issue.record("expected bogus (EDE \(code.rawValue)), got \(outcome.status)", sourceLocation: sourceLocation)
        return
    }
    #expect(reason.code == code, "\(reason)", sourceLocation: sourceLocation)
    #expect(reason.status == .bogus, "\(reason)", sourceLocation: sourceLocation)
    #expect(reason.site.count == 4, sourceLocation: sourceLocation)
}
