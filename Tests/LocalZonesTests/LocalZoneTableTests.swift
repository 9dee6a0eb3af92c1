// Primary responsibilities: what each local zone type answers, local data outside zones, CNAMEs,
// the locally served zones (and what turns them off), and the data the table refuses.

import DNSWire
import LocalZones
import Testing

/// A table of `lines` (zone-file text, one record a line) and `zones`.
func table(
    _ lines: [String] = [], zones: [LocalZone] = [], served: Bool = false, delegations: [DomainName] = []
) throws -> LocalZoneTable {
    let records = try lines.enumerated().flatMap { index, line in
        try ZoneFileParser(text: line, defaultTTL: 3600).records().map {
            LocalRecord($0, source: "local.data", line: index + 1)
        }
    }
    return try LocalZoneTable(records: records, zones: zones, servedZones: served, delegations: delegations)
}

/// The answer as text: RCODE, then each section's records.
func text(_ answer: LocalAnswer?) -> String? {
    guard let answer else { return nil }
    let answers = answer.answer.flatMap(\.records).map { "\($0)" }
    let authority = answer.authority.flatMap(\.records).map { "\($0)" }
    return ([answer.rcode.description] + answers + ["--"] + authority).joined(separator: "\n")
}

/// `name type` asked of `table` in `part`.
func ask(
    _ table: LocalZoneTable, _ name: DomainName, _ type: RRType, _ part: LocalZoneTable.Part = .operator
)
    -> String?
{
    text(table.answer(Question(name: name, type: type), part: part))
}

/// The RFC 6303 §2.1 SOA and NS lines of `apex`.
func emptyZone(_ apex: String) -> [String] {
    ["\(apex) 300 IN SOA \(apex) nobody.invalid. 1 3600 1200 604800 300", "\(apex) 300 IN NS \(apex)"]
}

@Suite("Local zone types")
struct LocalZoneTypeTests {
    static let data = ["www.corp.example. 600 IN A 192.0.2.1", "a.b.corp.example. IN TXT \"deep\""]

    @Test("static: data answered, other types NODATA, empty non-terminals NODATA, the rest NXDOMAIN; SOA and NS")
    func staticZone() throws {
        let local = try table(Self.data, zones: [LocalZone(name: "corp.example.", type: .static)])
        let negative = emptyZone("corp.example.").joined(separator: "\n")
        #expect(ask(local, "www.corp.example.", .a) == "NOERROR\nwww.corp.example. 600 IN A 192.0.2.1\n--")
        #expect(ask(local, "WWW.Corp.Example.", .a)?.hasPrefix("NOERROR\nwww.corp.example.") == true)
        #expect(ask(local, "www.corp.example.", .aaaa) == "NOERROR\n--\n" + negative)
        #expect(ask(local, "b.corp.example.", .a) == "NOERROR\n--\n" + negative)
        #expect(ask(local, "nx.corp.example.", .a) == "NXDOMAIN\n--\n" + negative)
        #expect(ask(local, "corp.example.", .soa) == "NOERROR\n" + emptyZone("corp.example.")[0] + "\n--")
        #expect(ask(local, "corp.example.", .a) == "NOERROR\n--\n" + negative)
        // Not the served part's, and nothing outside the zone.
        #expect(ask(local, "nx.corp.example.", .a, .served) == nil)
        #expect(ask(local, "example.", .a) == nil)
        #expect(ask(local, "www.example.com.", .a) == nil)
    }

    @Test("static: the data's own SOA gives the negative answers, its TTL no more than MINIMUM")
    func ownSOA() throws {
        let local = try table(
            ["corp.example. 3600 IN SOA ns.corp.example. admin.corp.example. 7 1 1 1 60"],
            zones: [LocalZone(name: "corp.example.", type: .static)])
        #expect(
            ask(local, "nx.corp.example.", .a)
                == "NXDOMAIN\n--\ncorp.example. 60 IN SOA ns.corp.example. admin.corp.example. 7 1 1 1 60\n"
                + "corp.example. 300 IN NS corp.example.")
    }

    @Test("transparent: data answered, other types at its names NODATA, every other name resolved")
    func transparentZone() throws {
        let local = try table(Self.data, zones: [LocalZone(name: "corp.example.", type: .transparent)])
        #expect(ask(local, "www.corp.example.", .a) == "NOERROR\nwww.corp.example. 600 IN A 192.0.2.1\n--")
        #expect(
            ask(local, "www.corp.example.", .mx) == "NOERROR\n--\n" + emptyZone("corp.example.").joined(separator: "\n")
        )
        #expect(ask(local, "b.corp.example.", .a) == nil)
        #expect(ask(local, "nx.corp.example.", .a) == nil)
        #expect(ask(local, "corp.example.", .soa) == nil)
    }

    @Test("redirect: every name at or below the apex gets the apex's data under its own name")
    func redirectZone() throws {
        let local = try table(
            ["walled.example. 60 IN A 192.0.2.80", "walled.example. 60 IN AAAA 2001:db8::80"],
            zones: [LocalZone(name: "walled.example.", type: .redirect)])
        #expect(ask(local, "x.y.walled.example.", .a) == "NOERROR\nx.y.walled.example. 60 IN A 192.0.2.80\n--")
        #expect(ask(local, "walled.example.", .aaaa) == "NOERROR\nwalled.example. 60 IN AAAA 2001:db8::80\n--")
        #expect(
            ask(local, "x.walled.example.", .txt) == "NOERROR\n--\n"
                + emptyZone("walled.example.").joined(separator: "\n"))
        #expect(ask(local, "walled.example.", .ns) == "NOERROR\nwalled.example. 300 IN NS walled.example.\n--")
    }

    @Test("redirect to a CNAME: safe-search style, the CNAME owned by the asked name")
    func redirectCNAME() throws {
        let local = try table(
            ["search.example. 300 IN CNAME safe.search.example.net."],
            zones: [LocalZone(name: "search.example.", type: .redirect)])
        #expect(
            ask(local, "www.search.example.", .a)
                == "NOERROR\nwww.search.example. 300 IN CNAME safe.search.example.net.\n--")
    }

    @Test("refuse: data answered, everything else REFUSED with no records")
    func refuseZone() throws {
        let local = try table(Self.data, zones: [LocalZone(name: "corp.example.", type: .refuse)])
        #expect(ask(local, "www.corp.example.", .a) == "NOERROR\nwww.corp.example. 600 IN A 192.0.2.1\n--")
        #expect(ask(local, "www.corp.example.", .aaaa) == "REFUSED\n--")
        #expect(ask(local, "nx.corp.example.", .a) == "REFUSED\n--")
    }

    @Test("always-nxdomain: NXDOMAIN with SOA and NS whatever the data")
    func alwaysNXDOMAIN() throws {
        let local = try table(Self.data, zones: [LocalZone(name: "corp.example.", type: .alwaysNXDOMAIN)])
        let negative = "NXDOMAIN\n--\n" + emptyZone("corp.example.").joined(separator: "\n")
        #expect(ask(local, "www.corp.example.", .a) == negative)
        #expect(ask(local, "corp.example.", .soa) == negative)
    }

    @Test("the nearest zone decides: a zone inside another takes its names")
    func nestedZones() throws {
        let local = try table(
            Self.data,
            zones: [
                LocalZone(name: "corp.example.", type: .alwaysNXDOMAIN),
                LocalZone(name: "b.corp.example.", type: .static),
            ])
        #expect(ask(local, "a.b.corp.example.", .txt) == "NOERROR\na.b.corp.example. 3600 IN TXT \"deep\"\n--")
        #expect(ask(local, "www.corp.example.", .a)?.hasPrefix("NXDOMAIN") == true)
    }
}

@Suite("Local data outside zones and CNAMEs")
struct LocalDataTests {
    @Test("data outside any zone answers its names; another type there is NODATA; other names pass")
    func implicitTransparent() throws {
        let local = try table(["printer.lan. 300 IN A 192.168.1.10"])
        #expect(ask(local, "printer.lan.", .a) == "NOERROR\nprinter.lan. 300 IN A 192.168.1.10\n--")
        #expect(
            ask(local, "printer.lan.", .aaaa) == "NOERROR\n--\n" + emptyZone("printer.lan.").joined(separator: "\n"))
        #expect(ask(local, "lan.", .a) == nil)
        #expect(ask(local, "x.printer.lan.", .a) == nil)
        #expect(ask(local, "printer.lan.", .a, .served) == nil)
    }

    @Test("data in a served zone: its NODATA carries the served zone's SOA and NS")
    func dataInServedZone() throws {
        let local = try table(["printer.home.arpa. 300 IN A 192.168.1.10"], served: true)
        #expect(
            ask(local, "printer.home.arpa.", .aaaa) == "NOERROR\n--\n" + emptyZone("home.arpa.").joined(separator: "\n")
        )
    }

    @Test("a CNAME answers every type but CNAME, followed through the local data")
    func cnameChain() throws {
        let local = try table([
            "www.lan. 300 IN CNAME web.lan.", "web.lan. 300 IN CNAME server.lan.", "server.lan. 300 IN A 192.168.1.2",
            "out.lan. 300 IN CNAME www.example.com.", "loop1.lan. 300 IN CNAME loop2.lan.",
            "loop2.lan. 300 IN CNAME loop1.lan.",
        ])
        #expect(
            ask(local, "www.lan.", .a)
                == "NOERROR\nwww.lan. 300 IN CNAME web.lan.\nweb.lan. 300 IN CNAME server.lan.\n"
                + "server.lan. 300 IN A 192.168.1.2\n--")
        #expect(ask(local, "www.lan.", .cname) == "NOERROR\nwww.lan. 300 IN CNAME web.lan.\n--")
        // A type the end of the chain lacks: the chain alone.
        #expect(
            ask(local, "www.lan.", .mx)
                == "NOERROR\nwww.lan. 300 IN CNAME web.lan.\nweb.lan. 300 IN CNAME server.lan.\n--")
        #expect(ask(local, "out.lan.", .a) == "NOERROR\nout.lan. 300 IN CNAME www.example.com.\n--")
        #expect(
            ask(local, "loop1.lan.", .a)
                == "NOERROR\nloop1.lan. 300 IN CNAME loop2.lan.\nloop2.lan. 300 IN CNAME loop1.lan.\n--")
    }

    @Test("data the table refuses: class, RRSIG, CNAME beside data, two CNAMEs, below a redirect apex; zone twice")
    func refusedData() {
        func reason(_ lines: [String], zones: [LocalZone] = []) -> String? {
            do {
                _ = try table(lines, zones: zones)
                return nil
            } catch let error as LocalZonesError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(reason(["a.lan. 300 CH TXT \"x\""]) == "local.data:1: only class IN is served, not CH")
        #expect(
            reason([
                "a.lan. 300 IN A 192.0.2.1", "a.lan. 300 IN RRSIG A 8 2 300 20300101000000 20200101000000 1 lan. AAAA",
            ])?
            .hasPrefix("local.data:2: RRSIG records are not served") == true)
        #expect(
            reason(["a.lan. 300 IN A 192.0.2.1", "a.lan. 300 IN CNAME b.lan."])
                == "local.data:2: a.lan. has a CNAME and A data: a CNAME stands alone (RFC 2181 §10.1)")
        #expect(
            reason(["a.lan. 300 IN CNAME b.lan.", "a.lan. 300 IN CNAME c.lan."])?
                .hasPrefix("local.data:1: a.lan. has a second CNAME") == true)
        #expect(
            reason(
                ["x.walled.example. 300 IN A 192.0.2.1"], zones: [LocalZone(name: "walled.example.", type: .redirect)])?
                .hasPrefix("local.data:1: x.walled.example. is below the redirect zone walled.example.") == true)
        #expect(
            reason([], zones: [LocalZone(name: "a.", type: .static), LocalZone(name: "a.", type: .refuse)])
                == "local.zones: a. is given twice")
    }
}

@Suite("Locally served zones")
struct ServedZoneTests {
    @Test("a private reverse name is NXDOMAIN with the zone's SOA and NS (RFC 6303 §3); the apex answers SOA and NS")
    func privateReverse() throws {
        let local = try table(served: true)
        let negative = emptyZone("168.192.in-addr.arpa.").joined(separator: "\n")
        #expect(ask(local, "1.0.168.192.in-addr.arpa.", .ptr, .served) == "NXDOMAIN\n--\n" + negative)
        #expect(ask(local, "1.0.168.192.in-addr.arpa.", .ptr, .operator) == nil)
        #expect(
            ask(local, "168.192.in-addr.arpa.", .soa, .served) == "NOERROR\n" + emptyZone("168.192.in-addr.arpa.")[0]
                + "\n--")
        #expect(
            ask(local, "168.192.in-addr.arpa.", .ns, .served) == "NOERROR\n" + emptyZone("168.192.in-addr.arpa.")[1]
                + "\n--")
        #expect(ask(local, "168.192.in-addr.arpa.", .ptr, .served) == "NOERROR\n--\n" + negative)
        // Public reverse names and the parents of served zones are resolved.
        #expect(
            ask(local, "1.2.0.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN\n--\n2.0.192.in-addr.arpa.")
                == true)
        #expect(ask(local, "1.1.1.1.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(local, "192.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(local, "in-addr.arpa.", .ns, .served) == nil)
        // A DS question at an apex is the parent's (RFC 4035 §3.1.4.1).
        #expect(ask(local, "168.192.in-addr.arpa.", .ds, .served) == nil)
    }

    @Test("every zone of RFC 6303 §4, RFC 7793, RFC 8375, RFC 6761 and RFC 7686 is served")
    func registry() throws {
        let names = try table(served: true).servedZoneNames.map(\.description)
        let expected =
            [
                "10.in-addr.arpa.", "168.192.in-addr.arpa.", "0.in-addr.arpa.", "127.in-addr.arpa.",
                "254.169.in-addr.arpa.",
                "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
                "255.255.255.255.in-addr.arpa.", "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.",
                "a.e.f.ip6.arpa.",
                "b.e.f.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.", "home.arpa.", "localhost.", "invalid.", "test.",
                "onion.",
                String(repeating: "0.", count: 32) + "ip6.arpa.",
                "1." + String(repeating: "0.", count: 31) + "ip6.arpa.",
            ]
            + (16...31).map { "\($0).172.in-addr.arpa." } + (64...127).map { "\($0).100.in-addr.arpa." }
        #expect(Set(names) == Set(expected))
        #expect(names.count == expected.count)
        #expect(try table(served: false).servedZoneNames.isEmpty)
    }

    @Test("localhost: 127.0.0.1 and ::1 for every name at or below it (RFC 6761 §6.3); loopback PTRs")
    func localhost() throws {
        let local = try table(served: true)
        #expect(ask(local, "localhost.", .a, .served) == "NOERROR\nlocalhost. 300 IN A 127.0.0.1\n--")
        #expect(ask(local, "app.localhost.", .aaaa, .served) == "NOERROR\napp.localhost. 300 IN AAAA ::1\n--")
        #expect(
            ask(local, "app.localhost.", .mx, .served) == "NOERROR\n--\n"
                + emptyZone("localhost.").joined(separator: "\n"))
        #expect(ask(local, "localhost.", .soa, .served) == "NOERROR\n" + emptyZone("localhost.")[0] + "\n--")
        #expect(
            ask(local, "1.0.0.127.in-addr.arpa.", .ptr, .served)
                == "NOERROR\n1.0.0.127.in-addr.arpa. 300 IN PTR localhost.\n--")
        #expect(ask(local, "0.0.127.in-addr.arpa.", .ptr, .served)?.hasPrefix("NOERROR\n--") == true)
        #expect(ask(local, "2.0.0.127.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
        let loopback6 = IPAddress.loopbackV6.reverseName
        #expect(ask(local, loopback6, .ptr, .served) == "NOERROR\n\(loopback6) 300 IN PTR localhost.\n--")
    }

    @Test("invalid, test, onion and home.arpa are empty zones: NXDOMAIN below the apex")
    func specialUse() throws {
        let local = try table(served: true)
        for zone in ["invalid.", "test.", "onion.", "home.arpa."] {
            #expect(
                ask(local, try DomainName("x.\(zone)"), .a, .served)
                    == "NXDOMAIN\n--\n" + emptyZone(zone).joined(separator: "\n"))
        }
    }

    @Test("a hosts-file name in a served zone: answered by the operator part; its parents exist")
    func dataInside() throws {
        let local = try table(["10.1.168.192.in-addr.arpa. 60 IN PTR printer.home.arpa."], served: true)
        #expect(
            ask(local, "10.1.168.192.in-addr.arpa.", .ptr)
                == "NOERROR\n10.1.168.192.in-addr.arpa. 60 IN PTR printer.home.arpa.\n--")
        #expect(ask(local, "1.168.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NOERROR\n--") == true)
        #expect(ask(local, "11.1.168.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
    }

    @Test("a stub or forward zone at or below a served apex takes its names; one above does not")
    func delegationsYield() throws {
        let atApex = try table(served: true, delegations: ["168.192.in-addr.arpa."])
        #expect(ask(atApex, "1.0.168.192.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(atApex, "1.0.0.10.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
        #expect(!atApex.servedZoneNames.contains("168.192.in-addr.arpa."))
        let below = try table(served: true, delegations: ["1.168.192.in-addr.arpa."])
        #expect(ask(below, "5.1.168.192.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(below, "5.2.168.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
        let above = try table(served: true, delegations: [".", "in-addr.arpa."])
        #expect(ask(above, "1.0.168.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
        let lab = try table(served: true, delegations: ["lan.test."])
        #expect(ask(lab, "printer.lan.test.", .a, .served) == nil)
        #expect(ask(lab, "other.test.", .a, .served)?.hasPrefix("NXDOMAIN") == true)
    }

    @Test("an operator zone at or above a served apex turns it off; one below takes only its names")
    func operatorZones() throws {
        let above = try table(zones: [LocalZone(name: "in-addr.arpa.", type: .transparent)], served: true)
        #expect(ask(above, "1.0.168.192.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(above, "1.0.168.192.in-addr.arpa.", .ptr, .operator) == nil)
        #expect(ask(above, "x.home.arpa.", .a, .served)?.hasPrefix("NXDOMAIN") == true)
        let below = try table(zones: [LocalZone(name: "1.168.192.in-addr.arpa.", type: .transparent)], served: true)
        #expect(ask(below, "5.1.168.192.in-addr.arpa.", .ptr, .served) == nil)
        #expect(ask(below, "5.2.168.192.in-addr.arpa.", .ptr, .served)?.hasPrefix("NXDOMAIN") == true)
    }
}
