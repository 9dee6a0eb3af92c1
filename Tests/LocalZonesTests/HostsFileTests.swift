// Primary responsibilities: the hosts-file reader (addresses, names, PTRs, comments, errors with
// the file and line) and reverse names.

import DNSWire
import LocalZones
import Testing

@Suite("Hosts files")
struct HostsFileTests {
    @Test("each name gets the line's address; the address's reverse name points at the first name")
    func recordsAndPointers() throws {
        let records = try HostsFile.records(
            text: """
                # the router's names
                192.168.1.10   printer.home.arpa printer   # a comment
                fd00::10\tprinter.home.arpa
                192.168.1.10 second.home.arpa

                fe80::1%eth0 router.home.arpa
                """, source: "/etc/hosts")
        let lines = records.map { "\($0.line) \($0.record)" }
        #expect(
            lines == [
                "2 printer.home.arpa. 60 IN A 192.168.1.10",
                "2 printer. 60 IN A 192.168.1.10",
                "2 10.1.168.192.in-addr.arpa. 60 IN PTR printer.home.arpa.",
                "3 printer.home.arpa. 60 IN AAAA fd00::10",
                "3 0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 60 IN PTR printer.home.arpa.",
                "4 second.home.arpa. 60 IN A 192.168.1.10",
                "6 router.home.arpa. 60 IN AAAA fe80::1",
                "6 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa. 60 IN PTR router.home.arpa.",
            ])
        #expect(records.allSatisfy { $0.source == "/etc/hosts" })
    }

    @Test("a bad address, a missing name or a bad name is an error naming the file and line")
    func errors() {
        func error(_ text: String) -> LocalZonesError? {
            do {
                _ = try HostsFile.records(text: text, source: "/etc/hosts")
                return nil
            } catch {
                return error
            }
        }
        #expect(
            error("127.0.0.1 localhost\n300.1.1.1 bad")?.description
                == "/etc/hosts:2: expected an IPv4 or IPv6 address, got \"300.1.1.1\"")
        #expect(error("\n\n10.0.0.1   # nothing")?.description == "/etc/hosts:3: no host name after 10.0.0.1")
        #expect(error("10.0.0.1 a..b")?.line == 1)
        #expect(error("10.0.0.1 " + String(repeating: "x", count: 64))?.reason.hasPrefix("bad host name") == true)
    }

    @Test("reverse names: in-addr.arpa octets and ip6.arpa nibbles in reverse order")
    func reverseNames() {
        #expect(IPAddress("192.0.2.1")!.reverseName == "1.2.0.192.in-addr.arpa.")
        #expect(
            IPAddress("2001:db8::1")!.reverseName
                == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
    }
}
