// Primary responsibilities: tests of the scripted network — matching (name case, subdomain, type,
// transport, flags, EDNS), every action and its effect on the clock, reply construction (ID and
// question copied, EDNS mirrored, extended RCODE, EDE, cookies), unmatched and absent servers, step ranges,
// and the query and entry-use records.

import DNSWire
import Resolver
import ResolverTestKit
import Testing

/// The scripted network.
@Suite struct ScriptedNetworkTests {
    /// A network with one clock.
    private func makeNetwork() -> (ScriptedNetwork, ManualClock) {
        let clock = ManualClock()
        return (ScriptedNetwork(clock: clock), clock)
    }

    /// An A answer for `name`.
    private func answerEntry(_ name: DomainName, _ address: String, label: String? = nil) throws -> ScriptedEntry {
        ScriptedEntry(
            label: label, match: .question(name, .a),
            response: ScriptedResponse(
                authoritativeAnswer: true, answer: try records("\(name) 300 IN A \(address)")))
    }

    /// The response inside a reply, or nil.
    private func response(_ reply: UpstreamReply) -> Message? {
        if case .response(let message) = reply { message } else { nil }
    }

    // MARK: - Replies

    /// The reply copies the ID and the question as sent (0x20 case echoed) and carries the script.
    @Test func repliesWithIDAndQuestionCopied() async throws {
        let (network, clock) = makeNetwork()
        network.add(try answerEntry("www.example.", "192.0.2.1"), at: [serverA])
        let query = makeQuery("wWw.ExamPLE.", .a, id: 0xBEEF)
        let reply = try #require(response(await network.send(query, to: serverA, over: .udp, timeout: .seconds(2))))
        #expect(reply.header.id == 0xBEEF)
        #expect(reply.header.isResponse)
        #expect(reply.header.authoritativeAnswer)
        #expect(reply.question?.name.isIdentical(to: "wWw.ExamPLE.") == true)
        #expect(reply.answer.count == 1)
        #expect(reply.answer.first?.rdatas == [.a(A(address: 0xC000_0201))])
        #expect(clock.monotonicNow == .zero)
    }

    /// EDNS is mirrored: present with DO copied when the query had it, absent otherwise.
    @Test func mirrorsEDNS() async throws {
        let (network, _) = makeNetwork()
        network.add(try answerEntry("www.example.", "192.0.2.1"), at: [serverA])
        let withDO = try #require(
            response(
                await network.send(
                    makeQuery("www.example.", .a, dnssecOK: true), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(withDO.edns?.dnssecOK == true)
        let plain = try #require(
            response(
                await network.send(
                    makeQuery("www.example.", .a, edns: false), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(plain.edns == nil)
    }

    /// `COOKIE` echoes the query's client cookie (or flips it with `wrong`) after the server cookie
    /// given; `MATCH cookie=HEX` selects on the server cookie the query sends back.
    @Test func cookies() async throws {
        let scenario = try Scenario(
            parsing: """
                SCENARIO_BEGIN cookies
                RANGE_BEGIN 0 10 192.0.2.53
                ENTRY_BEGIN known
                MATCH qname cookie=a1a2a3a4a5a6a7a8
                COOKIE a1a2a3a4a5a6a7a8
                REPLY QR AA NOERROR
                SECTION QUESTION
                www.example. IN A
                ENTRY_END
                ENTRY_BEGIN forged
                MATCH qname cookie
                COOKIE wrong a1a2a3a4a5a6a7a8
                REPLY QR AA NOERROR
                SECTION QUESTION
                www.example. IN A
                ENTRY_END
                ENTRY_BEGIN plain
                MATCH qname nocookie
                COOKIE a1a2a3a4a5a6a7a8
                REPLY QR AA NOERROR
                SECTION QUESTION
                www.example. IN A
                ENTRY_END
                RANGE_END
                SCENARIO_END
                """, fileName: "cookies.rpl")
        let network = ScriptedNetwork(scenario: scenario, clock: ManualClock())
        func send(_ cookie: EDNSOption?) async throws -> Message {
            var query = makeQuery("www.example.", .a)
            if let cookie { query.edns?.options = [cookie] }
            return try #require(response(await network.send(query, to: serverA, over: .udp, timeout: .seconds(1))))
        }
        let client: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let known = try await send(.cookie(client: client, server: [0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8]))
        #expect(known.edns?.cookie?.client == client && known.edns?.cookie?.server.first == 0xA1)
        let forged = try await send(.cookie(client: client, server: []))
        #expect(forged.edns?.cookie?.client == client.map { ~$0 })
        // An echo without a client cookie to echo carries no COOKIE.
        #expect(try await send(nil).edns?.cookie == nil)
        #expect(network.timesMatched(label: "known") == 1 && network.timesMatched(label: "forged") == 1)
        #expect(network.timesMatched(label: "plain") == 1 && network.queries.map(\.hasCookie) == [true, true, false])
        #expect(throws: ScenarioError.self) {
            try Scenario(
                parsing:
                    "SCENARIO_BEGIN x\nRANGE_BEGIN 0 1\nENTRY_BEGIN\nCOOKIE 0102\nENTRY_END\nRANGE_END\nSCENARIO_END\n",
                fileName: "bad.rpl")
        }
    }

    /// An extended RCODE and an EDE force an OPT record and survive the wire round trip.
    @Test func carriesExtendedRCodeAndEDE() async throws {
        let (network, _) = makeNetwork()
        let entry = ScriptedEntry(
            match: .question("x.example.", .a),
            response: ScriptedResponse(
                rcode: .badCookie, edns: .absent, extendedErrors: [ExtendedDNSError(.prohibited, "go away")]))
        network.add(entry, at: [serverA])
        let reply = try #require(
            response(
                await network.send(
                    makeQuery("x.example.", .a, edns: false), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(reply.rcode == .badCookie)
        #expect(reply.edns?.extendedErrors == [ExtendedDNSError(.prohibited, "go away")])
    }

    // MARK: - Matching

    /// Names match case-insensitively, `subdomain` matches below the name, and the type must agree.
    @Test func matchesNameAndType() async throws {
        let (network, _) = makeNetwork()
        let referral = ScriptedEntry(
            match: QueryMatch(name: .subdomain(of: "com.")),
            response: ScriptedResponse(authority: try records("example.com. 172800 IN NS ns.example.com.")))
        let exact = network.add(try answerEntry("www.example.com.", "192.0.2.1"), at: [serverA])
        let below = network.add(referral, at: [serverA])
        _ = await network.send(makeQuery("WWW.EXAMPLE.COM.", .a), to: serverA, over: .udp, timeout: .seconds(1))
        _ = await network.send(makeQuery("www.example.com.", .aaaa), to: serverA, over: .udp, timeout: .seconds(1))
        _ = await network.send(makeQuery("com.", .ns), to: serverA, over: .udp, timeout: .seconds(1))
        let outside = await network.send(makeQuery("example.org.", .a), to: serverA, over: .udp, timeout: .seconds(1))
        #expect(network.timesMatched(exact) == 1)
        #expect(network.timesMatched(below) == 2)
        guard case .timeout = outside else {
            Issue.record("an unmatched query should time out by default")
            return
        }
    }

    /// Transport, RD, CD, EDNS and DO conditions each restrict the match.
    @Test func matchesTransportAndFlags() async throws {
        let (network, _) = makeNetwork()
        var tcpOnly = try answerEntry("t.example.", "192.0.2.1")
        tcpOnly.match.transport = .tcp
        var noEDNS = try answerEntry("e.example.", "192.0.2.2")
        noEDNS.match.hasEDNS = false
        var withDO = try answerEntry("d.example.", "192.0.2.3")
        withDO.match.dnssecOK = true
        var rdClear = try answerEntry("r.example.", "192.0.2.4")
        rdClear.match.recursionDesired = false
        rdClear.match.checkingDisabled = false
        let ids = [tcpOnly, noEDNS, withDO, rdClear].map { network.add($0, at: [serverA]) }
        let timeout = Duration.seconds(1)
        _ = await network.send(makeQuery("t.example.", .a), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(makeQuery("t.example.", .a), to: serverA, over: .tcp, timeout: timeout)
        _ = await network.send(makeQuery("e.example.", .a), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(makeQuery("e.example.", .a, edns: false), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(makeQuery("d.example.", .a), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(makeQuery("d.example.", .a, dnssecOK: true), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(
            makeQuery("r.example.", .a, recursionDesired: true), to: serverA, over: .udp, timeout: timeout)
        _ = await network.send(makeQuery("r.example.", .a), to: serverA, over: .udp, timeout: timeout)
        #expect(ids.map { network.timesMatched($0) } == [1, 1, 1, 1])
        #expect(network.unmatchedQueries.count == 4)
    }

    /// The first matching entry wins; entries of other servers and ports are not consulted.
    @Test func firstMatchWinsPerServer() async throws {
        let (network, _) = makeNetwork()
        let first = network.add(try answerEntry("a.example.", "192.0.2.1"), at: [serverA])
        let second = network.add(try answerEntry("a.example.", "192.0.2.2"), at: [serverA])
        let other = network.add(try answerEntry("a.example.", "192.0.2.3"), at: [serverB])
        let reply = response(
            await network.send(makeQuery("a.example.", .a), to: serverA, over: .udp, timeout: .seconds(1)))
        #expect(reply?.answer.first?.rdatas == [.a(A(address: 0xC000_0201))])
        let onB = response(
            await network.send(makeQuery("a.example.", .a), to: serverB, over: .udp, timeout: .seconds(1)))
        #expect(onB?.answer.first?.rdatas == [.a(A(address: 0xC000_0203))])
        // serverB is 198.51.100.7 on port 5353: port 53 on that address has no server.
        let wrongPort = await network.send(
            makeQuery("a.example.", .a), to: ServerAddress("198.51.100.7")!, over: .udp, timeout: .seconds(1))
        guard case .timeout = wrongPort else {
            Issue.record("no server on port 53")
            return
        }
        #expect([first, second, other].map { network.timesMatched($0) } == [1, 0, 1])
    }

    // MARK: - Actions

    /// Silence, an absent server and an unmatched query each time out and move the clock by the timeout.
    @Test func timeoutsMoveTheClock() async throws {
        let (network, clock) = makeNetwork()
        network.add(ScriptedEntry(match: .question("quiet.example.", .a), action: .silence), at: [serverA])
        _ = await network.send(makeQuery("quiet.example.", .a), to: serverA, over: .udp, timeout: .milliseconds(800))
        #expect(clock.monotonicNow == .milliseconds(800))
        _ = await network.send(makeQuery("quiet.example.", .a), to: serverB, over: .udp, timeout: .seconds(2))
        #expect(clock.monotonicNow == .milliseconds(2800))
        _ = await network.send(makeQuery("other.example.", .a), to: serverA, over: .udp, timeout: .seconds(1))
        #expect(clock.monotonicNow == .milliseconds(3800))
        let log = network.queries
        #expect(log.map(\.outcome) == [.timeout, .timeout, .timeout])
        #expect(log.map(\.time) == [.zero, .milliseconds(800), .milliseconds(2800)])
        #expect(log.map(\.serverExists) == [true, false, true])
        #expect(log[0].entry != nil && log[1].entry == nil && log[2].entry == nil)
    }

    /// A delay below the timeout moves the clock by the delay; at or beyond it, the query times out.
    @Test func delaysAnswers() async throws {
        let (network, clock) = makeNetwork()
        var slow = try answerEntry("slow.example.", "192.0.2.1")
        slow.delay = .milliseconds(300)
        network.add(slow, at: [serverA])
        let fast = await network.send(makeQuery("slow.example.", .a), to: serverA, over: .udp, timeout: .seconds(1))
        #expect(response(fast) != nil)
        #expect(clock.monotonicNow == .milliseconds(300))
        let late = await network.send(
            makeQuery("slow.example.", .a), to: serverA, over: .udp, timeout: .milliseconds(300))
        #expect(response(late) == nil)
        #expect(clock.monotonicNow == .milliseconds(600))
    }

    /// Truncate answers TC=1 with empty sections over UDP; over TCP the next entry answers.
    @Test func truncatesOverUDPOnly() async throws {
        let (network, _) = makeNetwork()
        var truncating = try answerEntry("big.example.", "192.0.2.1")
        truncating.action = .truncate
        let tc = network.add(truncating, at: [serverA])
        let full = network.add(try answerEntry("big.example.", "192.0.2.2"), at: [serverA])
        let overUDP = try #require(
            response(await network.send(makeQuery("big.example.", .a), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(overUDP.header.truncated)
        #expect(overUDP.answer.isEmpty && overUDP.authority.isEmpty && overUDP.additional.isEmpty)
        let overTCP = try #require(
            response(await network.send(makeQuery("big.example.", .a), to: serverA, over: .tcp, timeout: .seconds(1))))
        #expect(!overTCP.header.truncated)
        #expect(overTCP.answer.first?.rdatas == [.a(A(address: 0xC000_0202))])
        #expect(network.timesMatched(tc) == 1 && network.timesMatched(full) == 1)
        #expect(
            network.queries.map(\.outcome) == [
                .response(.noError, truncated: true), .response(.noError, truncated: false),
            ])
    }

    /// Spoof gives a mismatch over UDP and is passed over on TCP; garbage is counted and the answer
    /// still arrives; a network error is reported as such.
    @Test func spoofGarbageAndNetworkError() async throws {
        let (network, _) = makeNetwork()
        network.add(ScriptedEntry(match: .question("s.example.", .a), action: .spoof), at: [serverA])
        network.add(try answerEntry("s.example.", "192.0.2.1"), at: [serverA])
        var garbage = try answerEntry("g.example.", "192.0.2.2")
        garbage.action = .garbageThenReply(count: 2)
        network.add(garbage, at: [serverA])
        network.add(
            ScriptedEntry(match: .question("n.example.", .a), action: .networkError("ICMP port unreachable")),
            at: [serverA])
        let timeout = Duration.seconds(1)
        let spoofed = await network.send(makeQuery("s.example.", .a), to: serverA, over: .udp, timeout: timeout)
        guard case .mismatch = spoofed else {
            Issue.record("expected a mismatch, got \(spoofed)")
            return
        }
        #expect(
            response(await network.send(makeQuery("s.example.", .a), to: serverA, over: .tcp, timeout: timeout)) != nil)
        #expect(
            response(await network.send(makeQuery("g.example.", .a), to: serverA, over: .udp, timeout: timeout)) != nil)
        let failed = await network.send(makeQuery("n.example.", .a), to: serverA, over: .udp, timeout: timeout)
        guard case .networkError(let reason) = failed else {
            Issue.record("expected a network error, got \(failed)")
            return
        }
        #expect(reason == "ICMP port unreachable")
        #expect(network.queries.map(\.ignoredDatagrams) == [0, 0, 2, 0])
    }

    /// formerr-if-edns answers FORMERR without OPT to an EDNS query and the real answer without EDNS.
    @Test func formerrIfEDNS() async throws {
        let (network, _) = makeNetwork()
        var old = try answerEntry("old.example.", "192.0.2.1")
        old.action = .formerrIfEDNS
        network.add(old, at: [serverA])
        let first = try #require(
            response(await network.send(makeQuery("old.example.", .a), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(first.rcode == .formErr && first.edns == nil && first.answer.isEmpty)
        let second = try #require(
            response(
                await network.send(
                    makeQuery("old.example.", .a, edns: false), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(second.rcode == .noError && second.answer.count == 1)
    }

    /// The unmatched policy can be set per server or for all; REFUSED comes back bare.
    @Test func unmatchedPolicies() async throws {
        let (network, clock) = makeNetwork()
        network.add(try answerEntry("a.example.", "192.0.2.1"), at: [serverA, serverB])
        network.setUnmatchedPolicy(.rcode(.refused), for: serverA)
        let refused = try #require(
            response(await network.send(makeQuery("z.example.", .a), to: serverA, over: .udp, timeout: .seconds(1))))
        #expect(refused.rcode == .refused && refused.answer.isEmpty && refused.question?.name == "z.example.")
        _ = await network.send(makeQuery("z.example.", .a), to: serverB, over: .udp, timeout: .seconds(1))
        #expect(clock.monotonicNow == .seconds(1))
        network.setUnmatchedPolicy(.rcode(.servFail), for: nil)
        let servfail = response(
            await network.send(makeQuery("z.example.", .a), to: serverB, over: .udp, timeout: .seconds(1)))
        #expect(servfail?.rcode == .servFail)
    }

    // MARK: - Ranges and records

    /// A range is active only while the current step is within it.
    @Test func rangesFollowTheCurrentStep() async throws {
        let (network, _) = makeNetwork()
        let early = network.add(try answerEntry("a.example.", "192.0.2.1"), at: [serverA], steps: 0...9)
        let late = network.add(try answerEntry("a.example.", "192.0.2.2"), at: [serverA], steps: 10...20)
        var answers: [RData?] = []
        for step in [1, 9, 10, 20, 21] {
            network.currentStep = step
            let reply = response(
                await network.send(makeQuery("a.example.", .a), to: serverA, over: .udp, timeout: .seconds(1)))
            answers.append(reply?.answer.first?.rdatas.first)
        }
        #expect(
            answers == [
                .a(A(address: 0xC000_0201)), .a(A(address: 0xC000_0201)), .a(A(address: 0xC000_0202)),
                .a(A(address: 0xC000_0202)), nil,
            ])
        #expect(network.timesMatched(early) == 2 && network.timesMatched(late) == 2)
        #expect(network.queries.map(\.step) == [1, 9, 10, 20, 21])
    }

    /// A range without addresses serves every address.
    @Test func rangeWithoutAddressServesAll() async throws {
        let (network, _) = makeNetwork()
        network.add(ScriptedRange(servers: [], entries: [try answerEntry("a.example.", "192.0.2.1")]))
        let reply = await network.send(makeQuery("a.example.", .a), to: serverB, over: .udp, timeout: .seconds(1))
        #expect(response(reply) != nil)
    }

    /// Every query is recorded in order with what was sent and what came of it; labels sum uses.
    @Test func recordsQueries() async throws {
        let (network, clock) = makeNetwork()
        network.add(try answerEntry("a.example.", "192.0.2.1", label: "a"), at: [serverA])
        network.add(try answerEntry("b.example.", "192.0.2.2", label: "a"), at: [serverA])
        network.currentStep = 7
        _ = await network.send(
            makeQuery("A.example.", .a, dnssecOK: true), to: serverA, over: .udp, timeout: .seconds(1))
        clock.advance(by: .seconds(5))
        _ = await network.send(
            makeQuery("b.example.", .a, edns: false, recursionDesired: true), to: serverA, over: .tcp,
            timeout: .seconds(1))
        let log = network.queries
        #expect(log.count == 2 && network.queryCount == 2)
        #expect(log[0].index == 0 && log[0].step == 7 && log[0].time == .zero)
        #expect(log[0].question?.name.isIdentical(to: "A.example.") == true)
        #expect(log[0].transport == .udp && log[0].hasEDNS && log[0].dnssecOK && !log[0].recursionDesired)
        #expect(log[1].time == .seconds(5) && log[1].transport == .tcp && !log[1].hasEDNS && log[1].recursionDesired)
        #expect(log[1].outcome == .response(.noError, truncated: false))
        #expect(network.timesMatched(label: "a") == 2)
        #expect(network.timesMatched(label: "nothing") == nil)
        #expect(log[0].description.contains("192.0.2.53@53 udp A.example. A edns do -> NOERROR (entry #0)"))
    }
}
