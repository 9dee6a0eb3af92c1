// Primary responsibilities: helpers for the kit's own tests — the example scenario folder, query
// builders, and a trivial forwarding resolver to run scenarios against before the engine exists.

import DNSWire
import Resolver
import ResolverTestKit

/// The folder of the kit's example scenarios, found from this file's path (no resource bundles).
let scenarioFolder: String = {
    let path = #filePath
    let folder = path[..<(path.lastIndex(of: "/") ?? path.endIndex)]
    return folder + "/Scenarios"
}()

/// Loads an example scenario by file name.
/// - Parameter name: e.g. `kit_forwarder.rpl`.
/// - Returns: the parsed scenario.
func loadScenario(_ name: String) throws -> Scenario {
    try Scenario(contentsOfFile: scenarioFolder + "/" + name)
}

/// A query as the engine would send it upstream.
/// - Parameters:
///   - name: the query name.
///   - type: the query type.
///   - edns: whether to add EDNS.
///   - dnssecOK: the DO bit.
///   - recursionDesired: RD.
///   - id: the ID.
/// - Returns: the query.
func makeQuery(
    _ name: DomainName, _ type: RRType, edns: Bool = true, dnssecOK: Bool = false, recursionDesired: Bool = false,
    id: UInt16 = 0x4242
) -> Message {
    var header = Header(id: id)
    header.recursionDesired = recursionDesired
    return Message(
        header: header, questions: [Question(name: name, type: type)],
        edns: edns ? EDNS(udpPayloadSize: 1232, dnssecOK: dnssecOK) : nil)
}

/// A scripted server address.
let serverA = ServerAddress("192.0.2.53")!
/// Another scripted server address.
let serverB = ServerAddress("198.51.100.7@5353")!

/// Parses zone-file lines into records (through DNSWire's parser).
/// - Parameter text: the lines.
/// - Returns: the records.
func records(_ text: String) throws -> [Record] {
    try ZoneFileParser(text: text, origin: .root, defaultTTL: 3600).records()
}

/// A trivial forwarder: sends the client's question to one server and relays what comes back. It
/// retries over TCP on TC=1 or a mismatched reply and without EDNS on FORMERR, and answers SERVFAIL
/// with EDE 22 (No Reachable Authority) on a timeout or EDE 23 (Network Error) on a network error.
/// It is the subject of the runner's self-tests, so the kit is proven before the engine exists.
struct ForwardingResolver: Sendable {
    /// The transport.
    let network: ScriptedNetwork
    /// The one upstream.
    let server: ServerAddress
    /// The per-query timeout.
    let timeout: Duration = .seconds(1)

    /// Resolves one client query.
    /// - Parameter client: the client's query.
    /// - Returns: the answer to the client.
    func resolve(_ client: Message) async -> Message {
        let clientDO = client.edns?.dnssecOK ?? false
        var query = Message(
            header: Header(id: 0x0202), questions: client.questions,
            edns: EDNS(udpPayloadSize: 1232, dnssecOK: clientDO))
        query.header.recursionDesired = true
        var transport = DNSTransport.udp
        for _ in 0..<4 {
            switch await network.send(query, to: server, over: transport, timeout: timeout) {
            case .response(let reply):
                if reply.header.truncated && transport == .udp {
                    transport = .tcp
                    continue
                }
                if reply.rcode == .formErr && query.edns != nil {
                    query.edns = nil
                    continue
                }
                return answer(client, rcode: reply.rcode, from: reply)
            case .mismatch:
                transport = .tcp
            case .timeout:
                return answer(client, rcode: .servFail, ede: .noReachableAuthority)
            case .networkError, .notSent:
                return answer(client, rcode: .servFail, ede: .networkError)
            }
        }
        return answer(client, rcode: .servFail, ede: .other)
    }

    /// Builds the answer to the client.
    private func answer(_ client: Message, rcode: RCode, from reply: Message? = nil, ede: EDECode? = nil) -> Message {
        var header = Header(id: client.header.id, opcode: client.header.opcode)
        header.isResponse = true
        header.recursionDesired = client.header.recursionDesired
        header.recursionAvailable = true
        var edns: EDNS? = nil
        if client.edns != nil || ede != nil {
            edns = EDNS(
                udpPayloadSize: 1232, dnssecOK: client.edns?.dnssecOK ?? false,
                options: ede.map { [.extendedDNSError(ExtendedDNSError($0))] } ?? [])
        }
        return Message(
            header: header, questions: client.questions, answer: reply?.answer ?? [],
            authority: reply?.authority ?? [], additional: reply?.additional ?? [], edns: edns, rcode: rcode)
    }
}
