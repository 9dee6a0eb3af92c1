// Primary responsibilities: the property the response fuzz target checks. The fuzzer's bytes become
// the replies scripted servers give to the engine's upstream queries while it resolves one question
// about a small signed hierarchy (the replay fixture val_secure.rpl: real keys and signatures), so
// every reply goes through the engine's whole handling of a response — acceptance, scrubbing,
// classification, validation, caching — and the resolution must end with a result that forged data
// could not have earned.

import DNSCache
import DNSSEC
import DNSWire
import MamoriService
import Resolver
import ResolverTestKit
import Synchronization

/// Checks whole resolutions (`IterativeResolver.resolve`) against arbitrary upstream replies.
///
/// **Input.** Byte 0 picks the question (low 4 bits, an index into ``questions``), CD (bit 4) and
/// QNAME minimisation (bit 5: relaxed instead of the fixture's off). Byte 1 is the index of the
/// first upstream query whose reply is replaced. The rest is a sequence of replies, each a 2-octet
/// big-endian length and that many octets (the last one takes what is left), given in order to
/// that query and the ones after it; every other query is answered by the fixture's servers.
///
/// **Replies.** A replacement is parsed as the wire would carry it; one that does not parse is a
/// datagram the transport drops, so the query times out. One that parses gets the query's ID and
/// question and QR set — the transport's acceptance checks (RFC 5452) are not what is fuzzed —
/// and keeps everything else the fuzzer wrote: flags, RCODE, sections, EDNS.
///
/// **Property**, for every input:
/// - the resolution ends (every loop has a limit; libFuzzer's `-timeout` catches a hang);
/// - a SERVFAIL carries an Extended DNS Error (``Resolution/extendedErrors``);
/// - a `secure` result holds only data the fixture's keys signed: each RRset of its answer and
///   authority equals one the fixture serves with RRSIGs (by owner, or by the wildcard that the
///   RRSIG's label count names), class, type and RDATA set, TTLs aside;
/// - a question whose whole chain lies in signed zones (``FuzzQuestion/signedPath``) is never
///   answered `insecure`, `indeterminate` or `unchecked`: no reply can prove a signed zone unsigned;
/// - afterwards the cache answers the question with the resolution's RCODE, if it answers at all.
package enum ResponseFuzzing {
    /// One question the input may pick.
    struct FuzzQuestion: Sendable {
        /// The question.
        var question: Question
        /// Whether every zone on the way to the answer is signed with a DS at its parent, so that
        /// only `secure` or `bogus` may come back with data.
        var signedPath: Bool
    }

    /// The questions, covering the fixture's answer types: positive, DNSKEY, DS, NXDOMAIN (NSEC and
    /// NSEC3), a wildcard, CNAMEs into insecure and bogus zones, unsigned delegations, expired,
    /// missing and mismatched signatures, and an over-limit NSEC3 zone.
    static let questions: [FuzzQuestion] = {
        let table: [(name: String, type: RRType, signedPath: Bool)] = [
            ("www.example.", .a, true), ("example.", .dnskey, true), ("example.", .ds, true),
            ("nothere.example.", .a, true), ("a.wild.example.", .a, true), ("chain.example.", .a, false),
            ("tobogus.example.", .a, true), ("www.nsec3.", .a, true), ("nothere.nsec3.", .a, true),
            ("www.insecure.", .a, false), ("www.unsigned.nsec3.", .a, false), ("insecure.", .ds, false),
            ("www.failed.", .a, true), ("www.expired.", .a, true), ("www.nosig.", .a, true),
            ("www.iter.", .a, false),
        ]
        return table.map { row in
            FuzzQuestion(
                question: Question(name: DomainName(stringLiteral: row.name), type: row.type),
                signedPath: row.signedPath)
        }
    }()

    /// The most replies one input carries.
    static let maxReplies = 16

    /// The decoded input.
    struct Input: Sendable {
        /// The index into ``questions``.
        var question: Int
        /// The client's CD bit.
        var checkingDisabled: Bool
        /// Relaxed QNAME minimisation instead of the fixture's off.
        var minimise: Bool
        /// The index of the first upstream query whose reply is replaced.
        var firstReplaced: Int
        /// The replies, in order.
        var replies: [[UInt8]]

        /// Creates an input.
        init(
            question: Int, checkingDisabled: Bool = false, minimise: Bool = false, firstReplaced: Int,
            replies: [[UInt8]]
        ) {
            self.question = question
            self.checkingDisabled = checkingDisabled
            self.minimise = minimise
            self.firstReplaced = firstReplaced
            self.replies = replies
        }

        /// Decodes fuzzer bytes; every byte string is some input.
        init(decoding bytes: [UInt8]) {
            let flags = bytes.first ?? 0
            question = Int(flags & 0x0F) % ResponseFuzzing.questions.count
            checkingDisabled = flags & 0x10 != 0
            minimise = flags & 0x20 != 0
            firstReplaced = bytes.count > 1 ? Int(bytes[1]) : 0
            replies = []
            var offset = 2
            while offset < bytes.count && replies.count < ResponseFuzzing.maxReplies {
                let length = offset + 1 < bytes.count ? Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) : 0
                let start = min(offset + 2, bytes.count)
                let end = min(start + length, bytes.count)
                replies.append(Array(bytes[start..<end]))
                offset = end
            }
        }

        /// The bytes that decode to this input.
        var encoded: [UInt8] {
            var bytes: [UInt8] = [
                UInt8(question) | (checkingDisabled ? 0x10 : 0) | (minimise ? 0x20 : 0), UInt8(firstReplaced),
            ]
            for reply in replies { bytes += [UInt8(reply.count >> 8), UInt8(reply.count & 0xFF)] + reply }
            return bytes
        }
    }

    /// Resolves the input's question with its replies and checks the result.
    /// - Parameter bytes: untrusted input (see the type's documentation).
    /// - Returns: what is wrong, or nil when the property holds.
    package static func failure(_ bytes: [UInt8]) async -> String? {
        let input = Input(decoding: bytes)
        let picked = questions[input.question]
        let run = Fixture.shared.makeRun(input)
        let result = await run.engine.resolve(picked.question, checkingDisabled: input.checkingDisabled)
        let context = "\(picked.question) (CD=\(input.checkingDisabled ? 1 : 0)): \(result.rcode), \(result.status)"
        if result.rcode == .servFail && result.extendedErrors.isEmpty {
            return "\(context): SERVFAIL without an Extended DNS Error"
        }
        if result.status == .secure {
            for rrset in result.answer + result.authority where !Fixture.shared.signed(rrset) {
                return "\(context): secure, yet the fixture's keys never signed \(rrset)"
            }
        }
        if picked.signedPath, result.rcode != .servFail, result.status != .secure, result.status != .bogus {
            return "\(context): the answer lies in signed zones only"
        }
        if let cached = run.engine.answerFromCache(picked.question, checkingDisabled: input.checkingDisabled),
            cached.rcode != result.rcode
        {
            return "\(context): the cache then answers \(cached.rcode), \(cached.status)"
        }
        return nil
    }

    /// Seed inputs: for every question, each reply the fixture gives during its resolution, as the
    /// replacement of that same query — real, signed responses for the fuzzer to mutate.
    /// - Returns: file names and contents.
    package static func seeds() async -> [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for index in questions.indices {
            let input = Input(question: index, firstReplaced: 0, replies: [])
            let run = Fixture.shared.makeRun(input)
            _ = await run.engine.resolve(questions[index].question)
            let question = questions[index].question
            let stem = "\(question.name)\(question.type)".replacing(".", with: "-")
            for (position, reply) in run.network.transcript.enumerated() {
                guard let reply else { continue }
                let seed = Input(question: index, firstReplaced: position, replies: [reply])
                seeds.append(("\(stem)-\(position).bin", seed.encoded))
            }
        }
        return seeds
    }
}

// MARK: - The fixture

extension ResponseFuzzing {
    /// The signed hierarchy, read once: its servers, its settings, and the data its keys signed.
    final class Fixture: Sendable {
        /// The scenario whose servers answer (its steps are not used).
        static let path: String = {
            let harness = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
            return harness.joined(separator: "/") + "/ReplayTests/Scenarios/val_secure.rpl"
        }()

        /// The fixture, loaded at first use; a broken fixture stops the fuzzer and the tests at once.
        static let shared: Fixture = {
            do {
                return try Fixture(scenario: Scenario(contentsOfFile: path))
            } catch {
                fatalError("cannot load the response fuzz fixture \(path): \(error)")
            }
        }()

        /// A signed RRset's identity: what a signature covers, TTL aside.
        struct SignedKey: Hashable, Sendable {
            /// The owner, or for a wildcard expansion the wildcard (`*.` and the RRSIG's labels).
            var name: DomainName
            /// The class.
            var rrClass: RRClass
            /// The type.
            var type: RRType
            /// The records.
            var rdatas: Set<RData>
        }

        /// The scripted servers.
        let scenario: Scenario
        /// The engine settings the scenario asks for (the root anchor, hints, minimisation off).
        let configuration: ResolverConfiguration
        /// The cache settings.
        let cacheConfiguration: CacheConfiguration
        /// Every RRset some server of the fixture sends with RRSIGs.
        let signedData: Set<SignedKey>

        /// Reads a scenario's servers and settings.
        init(scenario: Scenario) throws {
            self.scenario = scenario
            let settings = try ScenarioConfiguration.settings(scenario.config)
            configuration = settings.resolver
            var cache = settings.cache
            // One resolution never contends: one shard instead of 64 saves their set-up on every input.
            cache.shardCount = 1
            cacheConfiguration = cache
            var signed: Set<SignedKey> = []
            for range in scenario.ranges {
                for entry in range.entries {
                    let response = entry.response
                    for rrset in RRSet.group(response.answer + response.authority + response.additional) {
                        for signature in rrset.signatures {
                            signed.insert(Self.key(rrset, labels: Int(signature.labels)))
                        }
                    }
                }
            }
            signedData = signed
        }

        /// The identity of `rrset` signed by an RRSIG with `labels` labels.
        static func key(_ rrset: RRSet, labels: Int) -> SignedKey {
            var name = rrset.name
            if labels < name.labelCount, let wildcard = try? name.suffix(labelCount: labels).prepending(label: [0x2A]) {
                name = wildcard
            }
            return SignedKey(name: name, rrClass: rrset.rrClass, type: rrset.type, rdatas: Set(rrset.rdatas))
        }

        /// Whether the fixture's keys signed `rrset`'s data: as it is owned, or as the expansion of
        /// one of the fixture's wildcards.
        func signed(_ rrset: RRSet) -> Bool {
            stride(from: rrset.name.labelCount, through: 0, by: -1).contains { labels in
                signedData.contains(Self.key(rrset, labels: labels))
            }
        }

        /// One resolution's engine over fresh servers, clock and caches, with the input's replies.
        func makeRun(_ input: Input) -> Run {
            var settings = configuration
            if input.minimise { settings.qnameMinimisation = .relaxed }
            let clock = ManualClock(wallSeconds: scenario.startWallSeconds ?? ManualClock.defaultWallSeconds)
            let network = FuzzedNetwork(
                scripted: ScriptedNetwork(scenario: scenario, clock: clock), firstReplaced: input.firstReplaced,
                replies: input.replies)
            let engine = IterativeResolver(
                configuration: settings, transport: network, clock: clock,
                cache: ResolverCache(configuration: cacheConfiguration), infrastructure: InfrastructureCache())
            return Run(engine: engine, network: network)
        }
    }

    /// An engine and the network it talks to.
    struct Run {
        /// The engine.
        var engine: IterativeResolver
        /// Its transport.
        var network: FuzzedNetwork
    }

    /// The fixture's servers, with the replies to some queries replaced by the input's.
    final class FuzzedNetwork: UpstreamTransport {
        /// The mutable state.
        struct State {
            /// Queries sent so far.
            var sent = 0
            /// The replies still to give, in order.
            var replies: [[UInt8]]
            /// Every reply the fixture's servers gave, by query index; nil where none (a timeout, a
            /// replaced reply).
            var transcript: [[UInt8]?] = []
        }

        /// The fixture's servers.
        let scripted: ScriptedNetwork
        /// The index of the first query whose reply is replaced.
        let firstReplaced: Int
        /// The state, guarded.
        private let state: Mutex<State>

        /// Wraps `scripted`.
        init(scripted: ScriptedNetwork, firstReplaced: Int, replies: [[UInt8]]) {
            self.scripted = scripted
            self.firstReplaced = firstReplaced
            state = Mutex(State(replies: replies))
        }

        /// The fixture's replies, encoded, by query index.
        var transcript: [[UInt8]?] { state.withLock { $0.transcript } }

        /// Answers with the next input reply once `firstReplaced` queries have been sent and while
        /// replies are left; otherwise the fixture's servers answer.
        func send(
            _ query: Message, to server: ServerAddress, over transport: DNSTransport, timeout: Duration
        ) async -> UpstreamReply {
            let replacement = state.withLock { state -> [UInt8]? in
                defer { state.sent += 1 }
                guard state.sent >= firstReplaced, !state.replies.isEmpty else { return nil }
                state.transcript.append(nil)
                return state.replies.removeFirst()
            }
            guard let replacement else {
                let reply = await scripted.send(query, to: server, over: transport, timeout: timeout)
                var encoded: [UInt8]? = nil
                if case .response(let message) = reply { encoded = try? message.serialized() }
                state.withLock { $0.transcript.append(encoded) }
                return reply
            }
            guard var message = try? Message(parsing: replacement) else {
                // A datagram that does not parse is dropped, and the wait ends in a timeout.
                scripted.clock.advance(by: timeout)
                return .timeout
            }
            message.header.id = query.header.id
            message.header.isResponse = true
            message.questions = query.questions
            return .response(message)
        }
    }
}
