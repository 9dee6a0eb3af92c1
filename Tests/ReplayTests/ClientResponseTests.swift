// Primary responsibilities: what a client sees of a resolution — AD only on secure data for DO=1
// or AD=1 queries, RRSIGs and proofs only for DO=1, bogus data only with CD=1 — checked on
// resolutions built by hand, without the network.

import DNSSEC
import DNSWire
import Resolver
import Testing

/// ``ClientResponse`` and ``Resolution/presented(checkingDisabled:)`` (RFC 4035 §3.2, RFC 6840 §5.8).
@Suite struct ClientResponseTests {
    /// A signed A RRset for www.example.
    static let signed: RRSet = {
        let rrsig = RRSIG(
            typeCovered: .a, algorithm: DNSSECAlgorithm(13), labels: 2, originalTTL: 300, expiration: 2_000_000_000,
            inception: 1_700_000_000, keyTag: 4711, signerName: DomainName("example."), signature: [1, 2, 3])
        return RRSet(
            name: DomainName("www.example."), type: .a, ttl: 300, rdatas: [.a(A(192, 0, 2, 80))],
            signatures: [rrsig])
    }()

    /// A query for www.example. A with the given DO and AD bits.
    static func query(dnssecOK: Bool?, authenticData: Bool = false) -> Message {
        var header = Header(id: 7)
        header.recursionDesired = true
        header.authenticData = authenticData
        return Message(
            header: header, questions: [Question(name: DomainName("www.example."), type: .a)],
            edns: dnssecOK.map { EDNS(dnssecOK: $0) })
    }

    /// DO=1: RRSIGs stay and AD is set on secure data.
    @Test func secureWithDO() {
        let response = ClientResponse.make(
            Resolution(rcode: .noError, answer: [Self.signed], status: .secure), for: Self.query(dnssecOK: true))
        #expect(response.header.authenticData)
        #expect(response.answer.first?.signatures.count == 1)
    }

    /// DO=0: RRSIGs stripped (RFC 4035 §3.2.1); AD only when the query set AD (RFC 6840 §5.8).
    @Test func secureWithoutDO() {
        let plain = ClientResponse.make(
            Resolution(rcode: .noError, answer: [Self.signed], status: .secure), for: Self.query(dnssecOK: nil))
        #expect(!plain.header.authenticData)
        #expect(plain.answer.first?.signatures.isEmpty == true)
        let withAD = ClientResponse.make(
            Resolution(rcode: .noError, answer: [Self.signed], status: .secure),
            for: Self.query(dnssecOK: false, authenticData: true))
        #expect(withAD.header.authenticData)
        #expect(withAD.answer.first?.signatures.isEmpty == true)
    }

    /// Insecure data never gets AD.
    @Test func insecureNoAD() {
        let response = ClientResponse.make(
            Resolution(rcode: .noError, answer: [Self.signed], status: .insecure), for: Self.query(dnssecOK: true))
        #expect(!response.header.authenticData)
    }

    /// Bogus: SERVFAIL with the EDE without CD; the data without AD with CD (RFC 4035 §3.2.2).
    @Test func bogusAndCD() {
        let reason = ValidationReason(bogus: .signatureExpired, site: "TEST", "www.example. A: RRSIG expired")
        let bogus = Resolution(rcode: .noError, answer: [Self.signed], status: .bogus, securityReason: reason)
        let refused = bogus.presented(checkingDisabled: false)
        #expect(refused.rcode == .servFail)
        #expect(refused.answer.isEmpty)
        #expect(refused.extendedErrors.map(\.code) == [.signatureExpired])
        let shown = bogus.presented(checkingDisabled: true)
        #expect(shown.rcode == .noError)
        #expect(shown.answer == [Self.signed])
        let response = ClientResponse.make(shown, for: Self.query(dnssecOK: true))
        #expect(!response.header.authenticData)
    }
}
