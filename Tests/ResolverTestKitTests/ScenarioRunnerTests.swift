// Primary responsibilities: the runner's self-test — the example scenarios pass against a trivial
// forwarding resolver — and proof that every kind of check fails when it should, naming the step
// and printing both sides.

import DNSWire
import Resolver
import ResolverTestKit
import Testing

/// The scenario runner.
@Suite struct ScenarioRunnerTests {
    /// Runs scenario text against the forwarding resolver pointed at 192.0.2.53.
    /// - Parameter text: the scenario.
    /// - Returns: the report and the runner.
    private func run(_ text: String) async throws -> (ReplayReport, ScenarioRunner) {
        let runner = ScenarioRunner(scenario: try Scenario(parsing: text, fileName: "inline.rpl"))
        let resolver = ForwardingResolver(network: runner.network, server: serverA)
        return (await runner.run { await resolver.resolve($0) }, runner)
    }

    /// One server answering www.example.com. A with two addresses and an RRSIG.
    private let signedServer = """
        SCENARIO_BEGIN inline
        RANGE_BEGIN 0 100
        ADDRESS 192.0.2.53
        ENTRY_BEGIN www
        REPLY QR AA NOERROR
        SECTION QUESTION
        www.example.com. IN A
        SECTION ANSWER
        www.example.com. 300 IN A 192.0.2.80
        www.example.com. 300 IN A 192.0.2.81
        www.example.com. 300 IN RRSIG A 8 3 300 20260701000000 20260501000000 12345 example.com. dGVzdA==
        ENTRY_END
        RANGE_END
        STEP 1 QUERY
        ENTRY_BEGIN
        REPLY RD
        SECTION QUESTION
        www.example.com. IN A
        ENTRY_END

        """

    // MARK: - Self-test

    /// The example scenarios pass against the forwarding resolver.
    @Test(arguments: Scenario.files(inDirectory: scenarioFolder))
    func exampleScenariosPass(path: String) async throws {
        let scenario = try Scenario(contentsOfFile: path)
        let runner = ScenarioRunner(scenario: scenario)
        let server = ServerAddress(scenario.config(for: "forward-addr").first ?? "192.0.2.53")!
        let resolver = ForwardingResolver(network: runner.network, server: server)
        let report = await runner.run { await resolver.resolve($0) }
        #expect(report.passed, "\(report)")
        #expect(report.stepsRun == scenario.steps.count)
    }

    /// The forwarder scenario takes a deterministic time: one 1 s timeout plus 10.5 s of TIME_PASSES,
    /// from the START_TIME; the upstream log lists every query with its step.
    @Test func timeAndLogAreDeterministic() async throws {
        let scenario = try loadScenario("kit_forwarder.rpl")
        let runner = ScenarioRunner(scenario: scenario)
        #expect(runner.clock.wallSeconds == 1_780_272_000)
        let resolver = ForwardingResolver(network: runner.network, server: serverA)
        let report = await runner.run { await resolver.resolve($0) }
        #expect(report.passed, "\(report)")
        #expect(runner.clock.monotonicNow == .milliseconds(11_500))
        #expect(runner.clock.wallSeconds == 1_780_272_011)
        #expect(report.upstreamQueries.map(\.step) == [1, 10, 20, 30])
        #expect(
            report.upstreamQueries.map(\.outcome) == [
                .response(.noError, truncated: false), .response(.noError, truncated: false), .timeout,
                .response(.nxDomain, truncated: false),
            ])
        #expect(report.description.contains("passed, 15 steps, 4 upstream queries"))
    }

    // MARK: - Answer checks

    /// A matching answer passes; RRSIGs in the answer are ignored when the expectation lists none.
    @Test func passesIgnoringUnlistedRRSIGs() async throws {
        let (report, _) = try await run(
            signedServer + """
                STEP 2 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH all
                REPLY QR RD RA NOERROR
                SECTION QUESTION
                www.example.com. IN A
                SECTION ANSWER
                www.example.com. IN A 192.0.2.81
                www.example.com. IN A 192.0.2.80
                ENTRY_END
                SCENARIO_END
                """)
        #expect(report.passed, "\(report)")
    }

    /// RRSIGs listed in the expectation must be present and equal.
    @Test func comparesListedRRSIGs() async throws {
        let expectation = """
            STEP 2 CHECK_ANSWER
            ENTRY_BEGIN
            MATCH answer
            SECTION ANSWER
            www.example.com. IN A 192.0.2.80
            www.example.com. IN A 192.0.2.81
            www.example.com. IN RRSIG A 8 3 300 20260701000000 20260501000000 %@ example.com. dGVzdA==
            ENTRY_END
            SCENARIO_END
            """
        let (same, _) = try await run(signedServer + expectation.replacingPlaceholder(with: "12345"))
        #expect(same.passed, "\(same)")
        let (other, _) = try await run(signedServer + expectation.replacingPlaceholder(with: "54321"))
        #expect(other.failures.first?.summary.contains("answer: www.example.com. A has different RRSIGs") == true)
    }

    /// A wrong record, a missing RRset and an unexpected RRset are each named, and both messages
    /// are printed in presentation format.
    @Test func reportsSectionDifferences() async throws {
        let (report, _) = try await run(
            signedServer + """
                STEP 2 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH answer authority
                SECTION ANSWER
                www.example.com. IN A 192.0.2.80
                SECTION AUTHORITY
                example.com. IN NS ns.example.com.
                ENTRY_END
                SCENARIO_END
                """)
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1)
        #expect(failure.step == 2 && failure.line == 20 && failure.file == "inline.rpl")
        #expect(failure.summary.contains("answer to step 1 differs"))
        #expect(failure.summary.contains("answer: www.example.com. A has different records"))
        #expect(failure.summary.contains("authority: missing example.com. NS"))
        #expect(failure.expected.contains(";; AUTHORITY SECTION:"))
        #expect(failure.actual.contains("www.example.com. 300 IN A 192.0.2.81"))
        #expect(report.description.contains("inline.rpl:20: step 2:"))
        #expect(report.description.contains("--- expected") && report.description.contains("--- got"))
        #expect(report.description.contains("upstream queries:"))
    }

    /// TTLs are ignored unless `ttl` is matched; then they must be equal.
    @Test func comparesTTLOnlyWhenAsked() async throws {
        let check = """
            STEP 2 CHECK_ANSWER
            ENTRY_BEGIN
            MATCH answer%@
            SECTION ANSWER
            www.example.com. 299 IN A 192.0.2.80
            www.example.com. 299 IN A 192.0.2.81
            ENTRY_END
            SCENARIO_END
            """
        let (loose, _) = try await run(signedServer + check.replacingPlaceholder(with: ""))
        #expect(loose.passed, "\(loose)")
        let (strict, _) = try await run(signedServer + check.replacingPlaceholder(with: " ttl"))
        #expect(strict.failures.first?.summary.contains("answer: www.example.com. A TTL expected 299, got 300") == true)
    }

    /// Flags (DO included), RCODE, question and EDE codes are compared when asked.
    @Test func reportsHeaderAndEDEDifferences() async throws {
        let (report, _) = try await run(
            signedServer + """
                STEP 2 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH flags rcode question ede 22
                REPLY QR AA RD RA DO NXDOMAIN
                SECTION QUESTION
                other.example.com. IN A
                ENTRY_END
                SCENARIO_END
                """)
        let summary = try #require(report.failures.first).summary
        #expect(summary.contains("flags: expected [qr aa rd ra do], got [qr rd ra]"))
        #expect(summary.contains("rcode: expected NXDOMAIN, got NOERROR"))
        #expect(summary.contains("question: expected [other.example.com. IN A], got [www.example.com. IN A]"))
        #expect(summary.contains("ede: expected {22}, got {}"))
    }

    // MARK: - Step bookkeeping

    /// A check with no answer waiting and an answer never checked are failures.
    @Test func pairsQueriesWithChecks() async throws {
        let (report, _) = try await run(
            """
            SCENARIO_BEGIN inline
            STEP 1 CHECK_ANSWER
            ENTRY_BEGIN
            ENTRY_END
            STEP 2 QUERY
            ENTRY_BEGIN
            SECTION QUESTION
            a.example. IN A
            ENTRY_END
            SCENARIO_END
            """)
        #expect(report.failures.map(\.step) == [1, 2])
        #expect(report.failures[0].summary == ["no answer to check: no QUERY step is waiting"])
        #expect(report.failures[1].summary == ["the answer to this QUERY was never checked"])
    }

    /// Upstream counts and sequences are checked since the previous upstream check; entry use by label.
    @Test func checksUpstreamQueries() async throws {
        let (report, runner) = try await run(
            signedServer + """
                STEP 2 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH rcode
                ENTRY_END
                STEP 3 CHECK_UPSTREAM_QUERIES 2
                STEP 4 CHECK_UPSTREAM_QUERIES 0
                STEP 5 QUERY
                ENTRY_BEGIN
                SECTION QUESTION
                www.example.com. IN A
                ENTRY_END
                STEP 6 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH rcode
                ENTRY_END
                STEP 7 CHECK_UPSTREAM_SEQUENCE
                192.0.2.53 www.example.com. A tcp
                STEP 8 CHECK_UPSTREAM_SEQUENCE
                STEP 9 CHECK_ENTRY_USED www 3
                STEP 10 CHECK_ENTRY_USED nothing 0
                SCENARIO_END
                """)
        #expect(report.failures.map(\.step) == [3, 7, 9, 10])
        #expect(report.failures[0].summary == ["expected 2 upstream queries, got 1"])
        #expect(report.failures[1].summary.contains("first difference at position 1"))
        #expect(report.failures[1].expected == "  192.0.2.53@53 www.example.com. A tcp")
        #expect(report.failures[1].actual.contains("192.0.2.53@53 udp www.example.com. A"))
        #expect(report.failures[2].summary == ["entry 'www' used 2 times, expected 3"])
        #expect(report.failures[3].summary == ["no entry is labelled 'nothing'"])
        #expect(runner.network.queryCount == 2)
    }

    /// A runner can use a network scripted in code and a clock made by the test.
    @Test func acceptsANetworkBuiltInCode() async throws {
        let scenario = try Scenario(
            parsing: """
                SCENARIO_BEGIN code-built network
                STEP 1 QUERY
                ENTRY_BEGIN
                SECTION QUESTION
                a.example. IN A
                ENTRY_END
                STEP 2 CHECK_ANSWER
                ENTRY_BEGIN
                MATCH rcode answer
                SECTION ANSWER
                a.example. IN A 192.0.2.9
                ENTRY_END
                SCENARIO_END
                """, fileName: "code.rpl")
        let clock = ManualClock(wallSeconds: 0)
        let network = ScriptedNetwork(clock: clock)
        network.add(
            ScriptedEntry(
                match: .question("a.example.", .a),
                response: ScriptedResponse(answer: try records("a.example. A 192.0.2.9"))),
            at: [serverA])
        let runner = ScenarioRunner(scenario: scenario, clock: clock, network: network)
        let resolver = ForwardingResolver(network: network, server: serverA)
        let report = await runner.run { await resolver.resolve($0) }
        #expect(report.passed, "\(report)")
    }
}

extension String {
    /// Replaces the `%@` placeholder (test templates only).
    fileprivate func replacingPlaceholder(with value: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: "%@") {
            result += rest[..<range.lowerBound] + value
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
