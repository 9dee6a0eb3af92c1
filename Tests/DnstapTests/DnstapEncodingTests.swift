// Primary responsibilities: the hand-written dnstap.proto encoding checked against bytes worked
// out by hand from the Protocol Buffers encoding rules and the schema's field numbers.

import DNSWire
import Dnstap
import Testing

@Suite("dnstap encoding")
struct DnstapEncodingTests {
    @Test("a CLIENT_QUERY: every field with its number and wire type, the envelope around it, MESSAGE last")
    func clientQuery() throws {
        var message = DnstapMessage(kind: .clientQuery, socketProtocol: .udp)
        message.queryAddress = ServiceAddress(host: try #require(IPAddress("192.0.2.1")), port: 53000)
        message.queryTime = DnstapTime(seconds: 1_700_000_000, nanoseconds: 5)
        message.queryMessage = [0xAB, 0xCD]
        let inner: [UInt8] = [
            0x08, 0x05,  // 1 type: CLIENT_QUERY
            0x10, 0x01,  // 2 socket_family: INET
            0x18, 0x01,  // 3 socket_protocol: UDP
            0x22, 0x04, 0xC0, 0x00, 0x02, 0x01,  // 4 query_address
            0x30, 0x88, 0x9E, 0x03,  // 6 query_port 53000 (varint)
            0x40, 0x80, 0xE2, 0xCF, 0xAA, 0x06,  // 8 query_time_sec 1700000000 (varint)
            0x4D, 0x05, 0x00, 0x00, 0x00,  // 9 query_time_nsec (fixed32, little-endian)
            0x52, 0x02, 0xAB, 0xCD,  // 10 query_message
        ]
        let expected: [UInt8] =
            [0x0A, 0x01, 0x61, 0x12, 0x02, 0x76, 0x31, 0x72, UInt8(inner.count)] + inner + [0x78, 0x01]
        #expect(DnstapEnvelope(identity: "a", version: "v1").encode(message) == expected)
    }

    @Test("a RESOLVER_RESPONSE over IPv6 TCP: response address and port, zone, both times, the response")
    func resolverResponse() throws {
        var message = DnstapMessage(kind: .resolverResponse, socketProtocol: .tcp)
        message.responseAddress = ServiceAddress(host: try #require(IPAddress("2001:db8::1")), port: 53)
        message.queryTime = DnstapTime(seconds: 1, nanoseconds: 0xFFFF_FFFF)
        message.responseTime = DnstapTime(seconds: 2, nanoseconds: 0x0102_0304)
        message.queryZone = try DomainName("a.")
        message.responseMessage = [0x01]
        let inner: [UInt8] =
            [0x08, 0x04, 0x10, 0x02, 0x18, 0x02, 0x2A, 0x10, 0x20, 0x01, 0x0D, 0xB8]
            + [UInt8](repeating: 0, count: 11) + [0x01]
            + [0x38, 0x35]  // 7 response_port 53
            + [0x40, 0x01, 0x4D, 0xFF, 0xFF, 0xFF, 0xFF]  // 8, 9
            + [0x5A, 0x03, 0x01, 0x61, 0x00]  // 11 query_zone, wire format
            + [0x60, 0x02, 0x6D, 0x04, 0x03, 0x02, 0x01]  // 12, 13
            + [0x72, 0x01, 0x01]  // 14 response_message
        let expected: [UInt8] = [0x72, UInt8(inner.count)] + inner + [0x78, 0x01]
        #expect(DnstapEnvelope(identity: "", version: "").encode(message) == expected)
    }

    @Test("a message longer than 127 octets gets a two-octet length")
    func longLength() {
        var message = DnstapMessage(kind: .clientResponse, socketProtocol: .dot)
        message.responseMessage = [UInt8](repeating: 7, count: 200)
        let encoded = DnstapEnvelope(identity: "", version: "").encode(message)
        // 1 type, 3 protocol (no address: no family), 14 response_message of 200 = 0xC8 0x01.
        let inner: [UInt8] = [0x08, 0x06, 0x18, 0x03, 0x72, 0xC8, 0x01] + [UInt8](repeating: 7, count: 200)
        #expect(encoded == [0x72, 0xCF, 0x01] + inner + [0x78, 0x01])
    }
}
