// Primary responsibilities: test doubles and helpers for the server tests — a scripted
// QueryHandler (cache hits, big answers, gated slow answers), query builders, and a server on a
// loopback port (the clients that talk to it are SocketTestKit's).

import DNSWire
import Dispatch
import Foundation
import Logging
import MamoriConfiguration
import MamoriService
import MamoriTLS
import Resolver
import ResolverServer
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A gate a test opens to let a held answer go.
final class Gate: Sendable {
    /// The semaphore.
    private let semaphore = DispatchSemaphore(value: 0)
    /// Opens it once.
    func open() { semaphore.signal() }
    /// Waits for it, at most 10 s.
    func wait() { _ = semaphore.wait(timeout: .now() + 10) }
}

/// A handler scripted by question name:
/// - `cached.test.` is answered from the cache (an A record);
/// - `big.test.` resolves to 60 TXT records of 100 octets (about 6.6 KB);
/// - `gated.test.` resolves once `gate` is opened;
/// - `held.test.` is never answered until `releaseHeld()`;
/// - `failing.test.` resolves to SERVFAIL with EDE 22 (site tag `TFAI`);
/// - `bogus.test.` is answered from the cache with its data and EDE 6 (site tag `TBOG`), as a CD=1
///   client gets bogus data;
/// - anything else resolves to one A record at once.
final class ScriptedHandler: QueryHandler, Reloadable {
    /// Opened by tests to release `gated.test.`.
    let gate = Gate()
    /// Held `respond` callbacks for `held.test.`.
    private let held = Mutex<[@Sendable (Message) -> Void]>([])
    /// How many times resolve was called.
    let resolveCount = Atomic(0)
    /// How many times answerFromCache was called.
    let cacheCount = Atomic(0)
    /// The answer generation; tests advance it to say the cached answers changed.
    let generation = Atomic<UInt64>(0)

    /// When set, every fast-path answer advances ``generation`` while it is made, as a flush
    /// racing each query would.
    let changeWhileAnswering = Atomic(false)

    /// ``generation``'s value.
    var answerGeneration: UInt64 { generation.load(ordering: .acquiring) }

    /// Answers `cached.test.` only.
    func answerFromCache(_ query: Message, client: ClientAddress) -> CacheAnswer {
        cacheCount.add(1, ordering: .relaxed)
        if changeWhileAnswering.load(ordering: .relaxed) { generation.add(1, ordering: .releasing) }
        if query.question?.name == DomainName("bogus.test") {
            var message = Self.answer(query, rdatas: [.a(A(192, 0, 2, 6))])
            message.edns = EDNS(options: [.extendedDNSError(ExtendedDNSError(.dnssecBogus, "bad signature [TBOG]"))])
            return .response(message)
        }
        guard let question = query.question, question.name == DomainName("cached.test") else {
            return .miss(CacheMiss(nothingCached: true))
        }
        return .response(Self.answer(query, rdatas: [.a(A(192, 0, 2, 1))]))
    }

    /// Answers per the script.
    func resolve(
        _ query: Message, client: ClientAddress, after miss: CacheMiss, respond: @escaping @Sendable (Message) -> Void
    ) {
        resolveCount.add(1, ordering: .relaxed)
        let name = query.question!.name
        if name == DomainName("big.test") {
            let filler = Array(repeating: UInt8(ascii: "x"), count: 100)
            let rdatas: [RData] = (0..<60).map { index in .txt(TXT(strings: [Array("\(index)".utf8) + filler])) }
            respond(Self.answer(query, rdatas: rdatas, type: .txt))
        } else if name == DomainName("gated.test") {
            let gate = self.gate
            DispatchQueue.global().async {
                gate.wait()
                respond(Self.answer(query, rdatas: [.a(A(192, 0, 2, 3))]))
            }
        } else if name == DomainName("failing.test") {
            var message = Message(rcode: .servFail)
            let error = ExtendedDNSError(.noReachableAuthority, "no reachable authority for failing.test. [TFAI]")
            message.edns = EDNS(options: [.extendedDNSError(error)])
            respond(message)
        } else if name == DomainName("held.test") {
            held.withLock { $0.append(respond) }
        } else {
            respond(Self.answer(query, rdatas: [.a(A(192, 0, 2, 2))]))
        }
    }

    /// Answers every held query.
    func releaseHeld() {
        let callbacks = held.withLock { callbacks in
            defer { callbacks = [] }
            return callbacks
        }
        for respond in callbacks { respond(Message(rcode: .servFail)) }
    }

    /// Nothing to reload.
    func reload(_ configuration: Configuration) throws {}

    /// A NOERROR answer with one RRset for the question.
    static func answer(_ query: Message, rdatas: [RData], type: RRType = .a) -> Message {
        let question = query.question!
        return Message(answer: [RRSet(name: question.name, type: type, ttl: 300, rdatas: rdatas)])
    }
}

/// Builds query bytes.
func queryBytes(
    _ name: String, type: RRType = .a, id: UInt16 = 0x1234, recursionDesired: Bool = true, edns: EDNS? = nil,
    opcode: Opcode = .query
) -> [UInt8] {
    var header = Header(id: id, opcode: opcode)
    header.recursionDesired = recursionDesired
    let message = Message(header: header, questions: [Question(name: try! DomainName(name), type: type)], edns: edns)
    return try! message.serialized()
}

/// A server on loopback with an ephemeral port, stopped by `stop()`.
final class RunningServer: Sendable {
    /// The server.
    let server: DNSServer
    /// The handler.
    let handler: ScriptedHandler
    /// Where it listens (UDP and TCP share the port).
    let address: ServiceAddress

    /// Binds and starts a server on `host` port 0; with `tls`, also a DNS-over-TLS listener on
    /// another free port of `host`.
    init(
        host: String = "127.0.0.1", tls: TLSServerContext? = nil, https: TLSServerContext? = nil,
        metrics: ServerMetrics? = nil, configure: (inout Configuration) -> Void = { _ in }
    ) throws {
        var configuration = Configuration()
        configure(&configuration)
        handler = ScriptedHandler()
        server = DNSServer(
            handler: handler, configuration: configuration, logger: Logger(label: "test"), metrics: metrics, tls: tls,
            https: https)
        let local = ServiceAddress(host: IPAddress(host)!, port: 0)
        try server.bind(
            [local], threads: 1, tlsAddresses: tls == nil ? [] : [local], httpsAddresses: https == nil ? [] : [local])
        server.start()
        address = server.udpAddresses[0]
    }

    /// The DNS-over-TLS address, when there is one.
    var tlsAddress: ServiceAddress? { server.tlsAddresses.first }
    /// The DNS-over-HTTPS address, when there is one.
    var httpsAddress: ServiceAddress? { server.httpsAddresses.first }

    /// Stops it.
    func stop() { _ = server.stop(timeout: .seconds(1)) }
}
