// Primary responsibilities: the three list formats (good and bad lines, with the file and line in
// every error), matching semantics (exact, below, nearest parent first, case), and RPZ actions.

import Blocklists
import DNSWire
import Foundation
import Testing

/// Writes `text` to a fresh temporary file and returns its path.
func listFile(_ text: String, _ name: String = "list") throws -> String {
    let path = NSTemporaryDirectory() + "mamori-blocklist-\(name)-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
}

/// The error `body` throws, or nil.
func loadError(_ text: String, _ format: BlocklistFormat) throws -> BlocklistError? {
    let path = try listFile(text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try Blocklist.load(path: path, format: format)
        return nil
    } catch {
        #expect(error.file == path)
        return error
    }
}

/// Loads `text` as a list in `format`.
func load(_ text: String, _ format: BlocklistFormat) throws -> Blocklist {
    let path = try listFile(text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try Blocklist.load(path: path, format: format)
}

@Suite("Hosts files")
struct HostsFileTests {
    @Test("blocking addresses list their names exactly; others and housekeeping names are left aside")
    func blockingLines() throws {
        let list = try load(
            """
            # StevenBlack-style header
            127.0.0.1 localhost
            127.0.0.1 LocalHost.LocalDomain
            255.255.255.255 broadcasthost
            ::1 localhost
            fe80::1%lo0 localhost
            0.0.0.0 0.0.0.0
            192.168.1.10 printer.lan
            0.0.0.0 ads.example.com  tracker.example.net # two names
            127.0.0.1\tAds.Example.ORG.
            :: v6.example
            0.0.0.0 ads.example.com
            """, .hosts)
        #expect(list.count == 4)
        #expect(list.notes.nonBlockingLines == 3)
        #expect(list.notes.housekeepingNames == 4)
        #expect(list.notes.duplicates == 1)
        for name in ["ads.example.com.", "TRACKER.example.net.", "ads.example.org.", "v6.example."] {
            #expect(
                try list.match(DomainName(name))
                    == BlockMatch(policy: .listed, listedLabelCount: DomainName(name).labelCount))
        }
        // A hosts file names hosts: the names below are not covered, nor the parents.
        #expect(list.match("x.ads.example.com.") == nil)
        #expect(list.match("example.com.") == nil)
        #expect(list.match("printer.lan.") == nil)
        #expect(list.match("localhost.") == nil)
    }

    @Test("bad lines name the file and the line")
    func badLines() throws {
        let noName = try #require(try loadError("0.0.0.0 ok.example\n\n0.0.0.0\n", .hosts))
        #expect(noName.line == 3)
        #expect(noName.reason == "expected an address and at least one name")
        let badAddress = try #require(try loadError("# c\nads.example 0.0.0.0\n", .hosts))
        #expect(badAddress.line == 2)
        #expect(badAddress.reason == "'ads.example' is not an address")
        let badName = try #require(try loadError("0.0.0.0 a..example\n", .hosts))
        #expect(badName.line == 1)
        #expect(badName.reason == "'a..example': empty label")
        let idn = try #require(try loadError("0.0.0.0 bücher.example\n", .hosts))
        #expect(idn.reason.contains("not ASCII"))
        let long = try #require(try loadError("0.0.0.0 " + String(repeating: "a", count: 64) + ".example\n", .hosts))
        #expect(long.reason.contains("longer than 63 octets"))
        let huge = try #require(
            try loadError("0.0.0.0 a.example\n0.0.0.0 " + String(repeating: "a", count: 5000), .hosts))
        #expect(huge.line == 2)
        #expect(huge.reason == "line longer than 4096 bytes")
    }

    @Test("a missing file is named")
    func missingFile() {
        #expect(
            throws: BlocklistError(file: "/nonexistent/mamori-list", line: 0, "cannot open: No such file or directory")
        ) {
            try Blocklist.load(path: "/nonexistent/mamori-list", format: .hosts)
        }
    }
}

@Suite("Domain lists")
struct DomainListTests {
    @Test("a name covers itself and every name below; *.name only the names below; nearest first")
    func coverage() throws {
        let list = try load(
            """
            # ads
            ads.example
            *.cdn.example   # only below
            tracker.example.
            DOUBLE.example
            double.example
            """, .domains)
        #expect(list.count == 4)
        #expect(list.notes.duplicates == 1)
        #expect(list.match("ads.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(list.match("a.b.ADS.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(list.match("cdn.example.") == nil)
        #expect(list.match("x.cdn.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(list.match("example.") == nil)
        #expect(list.match("notads.example.") == nil)
        #expect(list.match("ads.example.org.") == nil)
        #expect(list.match(".") == nil)
    }

    @Test("bad lines: two fields (a hosts file), the root, a bad character")
    func badLines() throws {
        let hosts = try #require(try loadError("ok.example\n0.0.0.0 ads.example\n", .domains))
        #expect(hosts.line == 2)
        #expect(hosts.reason == "expected one name a line (a hosts file? give it format: hosts)")
        let root = try #require(try loadError(".\n", .domains))
        #expect(root.reason == "'.': the root cannot be listed (it would cover every name)")
        let adblock = try #require(try loadError("\n\n||ads.example^\n", .domains))
        #expect(adblock.line == 3)
        #expect(adblock.reason == "'||ads.example^': '|' is not allowed in a host name")
    }
}

@Suite("Response Policy Zones")
struct ResponsePolicyZoneTests {
    static let zone = """
        $TTL 60
        $ORIGIN rpz.local.
        @ SOA ns.rpz.local. hostmaster.rpz.local. 1 3600 600 86400 60
          NS ns.rpz.local.
        blocked.example     CNAME .
        *.blocked.example   CNAME .
        empty.example       CNAME *.
        ok.blocked.example  CNAME rpz-passthru.
        *.wild.example      CNAME *.
        garden.example      CNAME walled.garden.example.
        old.blocked.example CNAME old.blocked.example.
        local.example   30  A 192.0.2.1
                            A 192.0.2.2
        local.example       AAAA 2001:db8::1
        *.local.example     TXT "below"
        32.1.2.0.192.rpz-ip CNAME .
        ns.example.rpz-nsdname CNAME .
        """

    @Test("QNAME triggers: NXDOMAIN, NODATA, PASSTHRU, wildcards, precedence of the exact name")
    func actions() throws {
        let list = try load(Self.zone, .rpz)
        #expect(list.notes.unsupportedTriggers == 2)
        #expect(list.match("blocked.example.") == BlockMatch(policy: .nxdomain, listedLabelCount: 2))
        #expect(list.match("a.b.blocked.example.") == BlockMatch(policy: .nxdomain, listedLabelCount: 2))
        #expect(list.match("empty.example.") == BlockMatch(policy: .nodata, listedLabelCount: 2))
        // A wildcard owner covers the names below, not the name itself (draft §4, BIND).
        #expect(list.match("empty.example.") != nil && list.match("x.empty.example.") == nil)
        #expect(list.match("wild.example.") == nil)
        #expect(list.match("x.wild.example.") == BlockMatch(policy: .nodata, listedLabelCount: 2))
        // The exact name beats the wildcard above it.
        #expect(list.match("ok.blocked.example.") == BlockMatch(policy: .passthru, listedLabelCount: 3))
        #expect(list.match("x.ok.blocked.example.") == BlockMatch(policy: .nxdomain, listedLabelCount: 2))
        // The older PASSTHRU: a CNAME to the trigger name itself.
        #expect(list.match("old.blocked.example.") == BlockMatch(policy: .passthru, listedLabelCount: 3))
        #expect(list.match("rpz.local.") == nil)
        #expect(list.match("other.example.") == nil)
    }

    @Test("local data: the records of an owner by type, CNAME to a name, wildcard local data")
    func localData() throws {
        let list = try load(Self.zone, .rpz)
        let local = try #require(list.match("local.example."))
        guard case .localData(let sets) = local.policy else {
            Issue.record("expected local data, got \(local.policy)")
            return
        }
        #expect(
            sets.map { "\($0.type) \($0.ttl) \($0.rdatas)" } == [
                "A 30 [192.0.2.1, 192.0.2.2]", "AAAA 60 [2001:db8::1]",
            ])
        let below = try #require(list.match("a.local.example."))
        #expect(below.listedLabelCount == 2)
        guard case .localData(let txt) = below.policy else {
            Issue.record("expected local data below, got \(below.policy)")
            return
        }
        #expect(txt.map(\.type) == [.txt])
        let garden = try #require(list.match("garden.example."))
        guard case .localData(let cname) = garden.policy else {
            Issue.record("expected a CNAME, got \(garden.policy)")
            return
        }
        #expect(cname.map(\.rdatas) == [[.cname(CNAME(target: "walled.garden.example."))]])
    }

    @Test("absolute owners, TTL and class in either order, no $ORIGIN")
    func absoluteOwners() throws {
        let list = try load(
            """
            rpz.local. 60 IN SOA ns.rpz.local. hostmaster.rpz.local. 1 3600 600 86400 60
            blocked.example.rpz.local. IN 60 CNAME .
            Upper.Example.rpz.local. 60 IN CNAME *.
            """, .rpz)
        #expect(list.count == 2)
        #expect(list.match("blocked.example.")?.policy == .nxdomain)
        #expect(list.match("UPPER.example.")?.policy == .nodata)
    }

    @Test("bad zones: no SOA first, an owner outside, DROP, two policies, CNAME and data")
    func badZones() throws {
        let head = "$ORIGIN rpz.local.\n@ 60 SOA ns hostmaster 1 3600 600 86400 60\n"
        let noSOA = try #require(try loadError("$ORIGIN rpz.local.\nx.example 60 CNAME .\n", .rpz))
        #expect(noSOA.line == 2)
        #expect(noSOA.reason == "the first record must be the zone's SOA (its owner names the policy zone)")
        let outside = try #require(try loadError(head + "x.example. 60 CNAME .\n", .rpz))
        #expect(outside.line == 3)
        #expect(outside.reason == "x.example. is not in the policy zone rpz.local.")
        let drop = try #require(try loadError(head + "x.example 60 CNAME rpz-drop.\n", .rpz))
        #expect(drop.reason == "CNAME rpz-drop. (DROP) is not supported")
        let twice = try #require(try loadError(head + "x.example 60 CNAME .\nx.example 60 CNAME *.\n", .rpz))
        #expect(twice.line == 4)
        #expect(twice.reason == "a second policy for the same owner (each owner has one action, draft §4)")
        let mixed = try #require(try loadError(head + "x.example 60 CNAME .\n\nx.example 60 A 192.0.2.1\n", .rpz))
        #expect(mixed.line == 5)
        let cnameAndData = try #require(
            try loadError(head + "y.example 60 CNAME a.example.\ny.example 60 A 192.0.2.1\n", .rpz))
        #expect(cnameAndData.line == 3)
        #expect(cnameAndData.reason == "a CNAME and other data at the same owner (RFC 1034 §3.6.2)")
        let badData = try #require(try loadError(head + "z.example 60 A 300.1.1.1\n", .rpz))
        #expect(badData.line == 3)
        #expect(badData.reason.hasPrefix("bad A data"))
        let unknown = try #require(try loadError(head + "$INCLUDE other\n", .rpz))
        #expect(unknown.reason == "$INCLUDE is not supported here")
    }

    @Test("too many records at one owner is refused at the bound")
    func recordsPerOwner() throws {
        var text = "$ORIGIN rpz.local.\n@ 60 SOA ns hostmaster 1 3600 600 86400 60\n"
        for index in 0...64 { text += "many.example 60 A 192.0.2.\(index)\n" }
        let error = try #require(try loadError(text, .rpz))
        #expect(error.line == 67)
        #expect(error.reason == "more than 64 records at many.example.rpz.local.")
    }
}

@Suite("Name table")
struct NameTableTests {
    @Test("many names: every one found, its neighbours not; bytes per name well under 100")
    func manyNames() throws {
        let count = 50_000
        var text = ""
        for index in 0..<count { text += "host\(index).ads\(index % 97).example\n" }
        let list = try load(text, .domains)
        #expect(list.count == count)
        for index in stride(from: 0, to: count, by: 7) {
            #expect(list.match(try DomainName("x.host\(index).ads\(index % 97).example.")) != nil)
            #expect(list.match(try DomainName("host\(index).ads\(index % 97 + 1).example.")) == nil)
        }
        #expect(list.byteCount / list.count < 100)
    }
}

@Suite("Overlays at reload")
struct OverlayTests {
    /// Loads `text` as a domain list replacing `previous`.
    static func reload(_ text: String, replacing previous: Blocklist) throws -> Blocklist {
        let path = try listFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Blocklist.load(path: path, format: .domains, replacing: previous)
    }

    @Test("a list that changed a little shares the old table: names gone, added, changed, repeated")
    func overlay() throws {
        let common = (0..<100).map { "n\($0).example\n" }.joined()
        let old = try load(common + "keep.example\nchange.example\ngone.example\n", .domains)
        #expect(!old.isOverlay && old.count == 103)
        let new = try Self.reload(
            common + "keep.example\n*.change.example\nnew.example\nKEEP.example\n", replacing: old)
        #expect(new.isOverlay)
        #expect(new.count == 103)
        #expect(new.notes.duplicates == 1)
        #expect(new.match("gone.example.") == nil)
        #expect(new.match("x.gone.example.") == nil)
        #expect(new.match("new.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(new.match("keep.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(new.match("change.example.") == nil)
        #expect(new.match("x.change.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        #expect(new.match("a.n57.example.") == BlockMatch(policy: .listed, listedLabelCount: 2))
        // The old list, sharing the table, is unchanged.
        #expect(old.match("gone.example.") != nil && old.match("new.example.") == nil)
        #expect(old.match("change.example.") != nil)

        // An overlay replaced: the new one is built on the same first table.
        let third = try Self.reload(common + "keep.example\nchange.example\ngone.example\n", replacing: new)
        #expect(third.isOverlay && third.count == 103)
        #expect(third.match("gone.example.") != nil && third.match("change.example.") != nil)
        #expect(third.match("new.example.") == nil)
    }

    @Test("a list that changed by more than a quarter is read whole")
    func tooDifferent() throws {
        let old = try load((0..<8).map { "a\($0).example\n" }.joined(), .domains)
        let new = try Self.reload((0..<8).map { "b\($0).example\n" }.joined(), replacing: old)
        #expect(!new.isOverlay && new.count == 8)
        #expect(new.match("b3.example.") != nil && new.match("a3.example.") == nil)
    }

    @Test("a bad line is an error with an overlay too")
    func badLine() throws {
        let old = try load("a.example\n", .domains)
        let path = try listFile("a.example\nb..example\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: BlocklistError(file: path, line: 2, "'b..example': empty label")) {
            try Blocklist.load(path: path, format: .domains, replacing: old)
        }
    }
}
