// Primary responsibilities: tests of the RFC 5011 state text — serialise then parse gives the same state, a
// restored store behaves as the one saved, and malformed lines are refused naming the line.

import DNSSEC
import DNSWire
import Testing

@Suite("RFC 5011 state format")
struct TrustAnchorStateFormatTests {
    /// A state with keys in several states and every time field, pending and revoked included.
    static func sampleState() throws -> [TrustAnchorStateFormat.ZoneState] {
        var anchor = ManagedTrustAnchor(initial: try Managed.initialAnchor())
        _ = anchor.update(with: try Managed.rrset("k1"), now: Managed.start)
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: Managed.start + Managed.day)
        _ = anchor.update(with: try Managed.rrset("k1-k2"), now: Managed.start + 31 * Managed.day)
        _ = anchor.update(with: try Managed.rrset("k1rev-k2"), now: Managed.start + 32 * Managed.day)
        anchor.refreshFailed(now: Managed.start + 33 * Managed.day)
        let root = TrustAnchorStateFormat.ZoneState(zone: .root)
        return [root, TrustAnchorStateFormat.ZoneState(anchor)]
    }

    /// serialise → parse is the identity, and the text is versioned and one line per key.
    @Test func roundTrip() throws {
        let state = try Self.sampleState()
        #expect(state[1].keys.map(\.state) == [.revoked, .valid])
        let text = TrustAnchorStateFormat.serialise(state)
        #expect(text.contains("\nmamori-trust-anchor-state 1\n"))
        #expect(text.contains("zone . - - - - 0\n"))
        let keyLines = text.split(separator: "\n").filter { $0.hasPrefix("key ") }
        #expect(keyLines.count == 2)
        #expect(keyLines[0].hasPrefix("key managed.example. \(try Managed.k1Revoked().keyTag) 13 Revoked "))
        #expect(try TrustAnchorStateFormat.parse(text, source: "state") == state)
    }

    /// A store restored from saved text has the same anchors and schedule; zones not managed are ignored.
    @Test func storeRestore() throws {
        let store = TrustAnchorStore(anchors: [try Managed.initialAnchor()], managed: [Managed.zone])
        _ = store.refresh(Managed.zone, with: try Managed.rrset("k1"), now: Managed.start)
        let text = store.serialisedManagedState()
        let restored = TrustAnchorStore(
            anchors: TrustAnchorStore.builtInRoot + [try Managed.initialAnchor()], managed: [Managed.zone])
        #expect(restored.closestAnchor(for: Managed.zone) == (try Managed.initialAnchor()))
        #expect(try restored.restoreManagedState(text, source: "s") == [Managed.zone])
        #expect(restored.closestAnchor(for: Managed.zone) == store.closestAnchor(for: Managed.zone))
        #expect(restored.nextRefresh(now: 0) == store.nextRefresh(now: 0))
        let unmanaged = TrustAnchorStore(anchors: [try Managed.initialAnchor()])
        #expect(try unmanaged.restoreManagedState(text, source: "s").isEmpty)
        #expect(unmanaged.closestAnchor(for: Managed.zone) == (try Managed.initialAnchor()))
    }

    /// Malformed state is refused with the source and line.
    @Test(arguments: [
        ("zone . - - - - 0\n", 1, "expected"),
        ("mamori-trust-anchor-state 2\n", 1, "version 2"),
        ("mamori-trust-anchor-state 1\nzone . - - -\n", 2, "7 fields"),
        ("mamori-trust-anchor-state 1\n; c\nfoo . 1\n", 3, "unknown line kind"),
        ("mamori-trust-anchor-state 1\nzone . x - - - 0\n", 2, "last success"),
        ("mamori-trust-anchor-state 1\nkey . 1 8 Valid 1 1 - 257 3 8 AwEAAQ==\n", 2, "before its zone"),
        ("mamori-trust-anchor-state 1\nzone . - - - - 0\nkey . 1 8 Valid 1 1 - 257 3 8 AwEAAQ==\n", 3, "key tag"),
        ("mamori-trust-anchor-state 1\nzone . - - - - 0\nkey . 1 8 Bogus 1 1 - 257 3 8 AwEAAQ==\n", 3, "state"),
        ("mamori-trust-anchor-state 1\nzone . - - - - 0\nkey . 1 8 Start 1 1 - 257 3 8 AwEAAQ==\n", 3, "state"),
        ("mamori-trust-anchor-state 1\nzone . - - - - 0\nkey . 1 8 Valid 1 1 - 257 3 8 !!\n", 3, "RDATA"),
    ])
    func refusesMalformed(text: String, line: Int, message: String) throws {
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStateFormat.parse(text, source: "/var/lib/mamori/trust-anchors.state")
        }
        #expect(error.line == line)
        #expect(error.description.hasPrefix("/var/lib/mamori/trust-anchors.state:\(line): "))
        #expect(error.reason.contains(message), "\(error)")
    }

    /// Empty text has no version line and is refused without a line.
    @Test func refusesEmpty() throws {
        let error = try #require(throws: TrustAnchorParseError.self) {
            try TrustAnchorStateFormat.parse("", source: "s")
        }
        #expect(error.code == .unsupportedStateFormat)
        #expect(error.line == nil)
    }
}
