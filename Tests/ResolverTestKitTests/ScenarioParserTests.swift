// Primary responsibilities: tests of the scenario parser — good files read into the right model
// (config, ranges, entries, steps, extensions), and bad files rejected with the file and line.

import DNSWire
import Foundation
import Resolver
import ResolverTestKit
import Testing

/// The scenario parser.
@Suite struct ScenarioParserTests {
    /// A small complete scenario using most keywords.
    private let good = """
        ; a comment
        server:
        \ttarget-fetch-policy: "0 0 0 0 0"
        # an unbound-style comment
        \tqname-minimisation: no
        CONFIG_END

        SCENARIO_BEGIN A small scenario
        START_TIME 20260102030405
        UNMATCHED 192.0.2.1 REFUSED
        UNMATCHED * silence

        RANGE_BEGIN 0 10 192.0.2.1
        \tADDRESS 2001:db8::53@5353
        ENTRY_BEGIN root-ns
        MATCH opcode qtype qname UDP DO noRD
        ADJUST copy_id copy_query delay=250
        REPLY QR AA NOERROR
        EDNS payload=4096
        SECTION QUESTION
        . IN NS
        SECTION ANSWER
        . 518400 IN NS k.root-servers.net. ; trailing comment
        SECTION ADDITIONAL
        k.root-servers.net. IN A 193.0.14.129
        ENTRY_END
        ENTRY_BEGIN
        MATCH subdomain
        ACTION truncate
        REPLY QR BADVERS
        EDE 21 not today
        SECTION QUESTION
        com. IN NS
        ENTRY_END
        RANGE_END

        RANGE_BEGIN 11 20
        ENTRY_BEGIN
        ACTION network-error "host unreachable"
        SECTION QUESTION
        example. IN A
        ENTRY_END
        RANGE_END

        STEP 1 QUERY
        ENTRY_BEGIN
        REPLY RD CD DO
        SECTION QUESTION
        www.example.com. IN AAAA
        ENTRY_END
        STEP 2 CHECK_ANSWER
        ENTRY_BEGIN
        MATCH flags rcode answer ede 22 6 ttl
        REPLY QR RD RA SERVFAIL
        SECTION ANSWER
        www.example.com. 60 IN AAAA 2001:db8::1
        ENTRY_END
        STEP 3 TIME_PASSES ELAPSE 1.25
        STEP 4 CHECK_UPSTREAM_QUERIES 7
        STEP 5 CHECK_UPSTREAM_SEQUENCE
        192.0.2.1 . NS udp edns do
        * www.example.com. AAAA tcp noedns nodo
        STEP 6 CHECK_ENTRY_USED root-ns 1
        SCENARIO_END
        """

    /// The configuration block, description, start time and unmatched policies are read.
    @Test func readsHeaderParts() throws {
        let scenario = try Scenario(parsing: good, fileName: "good.rpl")
        #expect(scenario.fileName == "good.rpl")
        #expect(scenario.description == "A small scenario")
        #expect(
            scenario.config == [
                ConfigLine(key: "server", value: "", line: 2),
                ConfigLine(key: "target-fetch-policy", value: "\"0 0 0 0 0\"", line: 3),
                ConfigLine(key: "qname-minimisation", value: "no", line: 5),
            ])
        #expect(scenario.config(for: "qname-minimisation") == ["no"])
        #expect(scenario.startWallSeconds == 1_767_323_045)
        #expect(scenario.unmatchedPolicies.count == 2)
        #expect(scenario.unmatchedPolicies[0].0 == ServerAddress("192.0.2.1"))
        #expect(scenario.unmatchedPolicies[0].1 == .rcode(.refused))
        #expect(scenario.unmatchedPolicies[1].0 == nil)
        #expect(scenario.unmatchedPolicies[1].1 == .silence)
    }

    /// Ranges, addresses and entries: match, adjust, reply, EDNS, EDE, action, sections, labels.
    @Test func readsRangesAndEntries() throws {
        let scenario = try Scenario(parsing: good, fileName: "good.rpl")
        #expect(scenario.ranges.count == 2)
        let first = scenario.ranges[0]
        #expect(first.steps == 0...10)
        #expect(first.servers == [ServerAddress("192.0.2.1")!, ServerAddress("2001:db8::53@5353")!])
        #expect(first.sourceLine == 13)
        let rootNS = first.entries[0]
        #expect(rootNS.label == "root-ns")
        #expect(rootNS.sourceLine == 15)
        #expect(
            rootNS.match
                == QueryMatch(
                    name: .exact(.root), type: .ns, transport: .udp, opcode: .query, recursionDesired: false,
                    dnssecOK: true))
        #expect(rootNS.delay == .milliseconds(250))
        #expect(rootNS.action == .reply)
        #expect(rootNS.response.authoritativeAnswer && !rootNS.response.truncated)
        #expect(rootNS.response.edns == .present && rootNS.response.udpPayloadSize == 4096)
        #expect(rootNS.response.answer == (try records(". 518400 IN NS k.root-servers.net.")))
        #expect(rootNS.response.additional == (try records("k.root-servers.net. 3600 IN A 193.0.14.129")))
        let truncating = first.entries[1]
        #expect(truncating.match == QueryMatch(name: .subdomain(of: "com.")))
        #expect(truncating.action == .truncate)
        #expect(truncating.response.rcode == .badVers)
        #expect(truncating.response.extendedErrors == [ExtendedDNSError(.notSupported, "not today")])
        #expect(truncating.response.edns == .mirror)
        let everywhere = scenario.ranges[1]
        #expect(everywhere.servers.isEmpty && everywhere.steps == 11...20)
        #expect(everywhere.entries[0].action == .networkError("host unreachable"))
        #expect(everywhere.entries[0].match == QueryMatch(name: .exact("example."), type: .a, opcode: .query))
    }

    /// Steps of every kind, with queries and expectations built from their entries.
    @Test func readsSteps() throws {
        let scenario = try Scenario(parsing: good, fileName: "good.rpl")
        #expect(scenario.steps.map(\.number) == [1, 2, 3, 4, 5, 6])
        guard case .query(let query) = scenario.steps[0].kind else {
            Issue.record("step 1 is not a query")
            return
        }
        #expect(query.header.recursionDesired && query.header.checkingDisabled && !query.header.isResponse)
        #expect(query.edns?.dnssecOK == true)
        #expect(query.questions == [Question(name: "www.example.com.", type: .aaaa)])
        guard case .checkAnswer(let expectation) = scenario.steps[1].kind else {
            Issue.record("step 2 is not a check")
            return
        }
        #expect(expectation.aspects == [.flags, .rcode, .answer, .ede, .ttl])
        #expect(expectation.extendedErrorCodes == [.noReachableAuthority, .dnssecBogus])
        #expect(expectation.message.rcode == .servFail)
        #expect(expectation.message.header.isResponse && expectation.message.header.recursionAvailable)
        #expect(expectation.message.answer.first?.ttl == 60)
        #expect(scenario.steps[2].kind == .timePasses(.milliseconds(1250)))
        #expect(scenario.steps[3].kind == .checkUpstreamQueries(7))
        #expect(
            scenario.steps[4].kind
                == .checkUpstreamSequence([
                    ExpectedUpstreamQuery(
                        server: ServerAddress("192.0.2.1"), name: .root, type: .ns, transport: .udp, hasEDNS: true,
                        dnssecOK: true, line: 61),
                    ExpectedUpstreamQuery(
                        server: nil, name: "www.example.com.", type: .aaaa, transport: .tcp, hasEDNS: false,
                        dnssecOK: false, line: 62),
                ]))
        #expect(scenario.steps[5].kind == .checkEntryUsed(label: "root-ns", count: 1))
        #expect(scenario.steps[5].line == 63)
    }

    /// Without MATCH an upstream entry matches opcode, qname and qtype, and a check compares `all`.
    @Test func defaultsWithoutMatch() throws {
        let text = """
            SCENARIO_BEGIN defaults
            RANGE_BEGIN 0 100
            ADDRESS 192.0.2.1
            ENTRY_BEGIN
            SECTION QUESTION
            example. IN SOA
            ENTRY_END
            RANGE_END
            STEP 1 CHECK_ANSWER
            ENTRY_BEGIN
            REPLY QR
            ENTRY_END
            SCENARIO_END
            """
        let scenario = try Scenario(parsing: text, fileName: "defaults.rpl")
        #expect(scenario.config.isEmpty)
        #expect(scenario.ranges[0].entries[0].match == QueryMatch(name: .exact("example."), type: .soa, opcode: .query))
        guard case .checkAnswer(let expectation) = scenario.steps[0].kind else {
            Issue.record("not a check")
            return
        }
        #expect(expectation.aspects == .all)
        #expect(expectation.expectsEDNS == nil)
    }

    /// The example scenarios shipped with the kit parse.
    @Test(arguments: Scenario.files(inDirectory: scenarioFolder))
    func exampleScenariosParse(path: String) throws {
        let scenario = try Scenario(contentsOfFile: path)
        #expect(!scenario.steps.isEmpty)
    }

    /// The example in `Docs/replay-format.md` parses, so the documentation cannot drift from the parser.
    @Test func documentedExampleParses() throws {
        let docs = scenarioFolder + "/../../../Docs/replay-format.md"
        let text = try #require(try? String(contentsOfFile: docs, encoding: .utf8))
        let example = try #require(text.components(separatedBy: "## Example").last)
        let blocks = example.components(separatedBy: "```")
        try #require(blocks.count >= 3)
        let scenario = try Scenario(parsing: blocks[1], fileName: "replay-format.md")
        #expect(scenario.steps.count == 8)
        #expect(scenario.ranges.map(\.entries.count) == [2, 1])
        #expect(scenario.config(for: "qname-minimisation") == ["no"])
    }

    /// An unreadable file is an error naming it.
    @Test func missingFile() {
        #expect(throws: ScenarioError(.unreadable, "", file: "", line: 0)) {
            try Scenario(contentsOfFile: "/nonexistent/none.rpl")
        }
    }

    // MARK: - Errors

    /// Bad scenarios, the line each error must name, and a fragment of its message.
    static let badScenarios: [(lines: [String], line: Int, fragment: String)] = [
        ([], 1, "missing SCENARIO_BEGIN"),
        (["key value", "CONFIG_END", "SCENARIO_BEGIN x", "SCENARIO_END"], 1, "without ':'"),
        (["STEP 1 QUERY"], 1, "expected SCENARIO_BEGIN"),
        (
            ["SCENARIO_BEGIN x", "STEP 1 QUERY", "ENTRY_BEGIN", "SECTION QUESTION", "example. IN A", "ENTRY_END"],
            6, "missing SCENARIO_END"
        ),
        (["SCENARIO_BEGIN x", "BOGUS_KEYWORD", "SCENARIO_END"], 2, "unexpected 'BOGUS_KEYWORD'"),
        (["SCENARIO_BEGIN x", "RANGE_BEGIN 5 1", "RANGE_END", "SCENARIO_END"], 2, "empty"),
        (["SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ADDRESS 300.1.1.1", "RANGE_END", "SCENARIO_END"], 3, "bad address"),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "MATCH qname", "ENTRY_END", "RANGE_END",
                "SCENARIO_END",
            ],
            4, "needs a SECTION QUESTION"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "MATCH answer", "SECTION QUESTION", "a. A",
                "ENTRY_END", "RANGE_END", "SCENARIO_END",
            ],
            4, "does not apply to a server entry"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "REPLY QR FOOBAR", "ENTRY_END", "RANGE_END",
                "SCENARIO_END",
            ],
            4, "unknown REPLY word 'FOOBAR'"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "SECTION ANSWER", "www.example. IN A 1.2.3",
                "ENTRY_END", "RANGE_END", "SCENARIO_END",
            ],
            5, "column"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "SECTION QUESTION", "", "",
                "www.example. IN WRONGTYPE", "ENTRY_END", "RANGE_END", "SCENARIO_END",
            ],
            7, "unknown type"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "ACTION explode", "ENTRY_END", "RANGE_END",
                "SCENARIO_END",
            ],
            4, "unknown ACTION"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "ADJUST sleep=3", "ENTRY_END", "RANGE_END",
                "SCENARIO_END",
            ],
            4, "unsupported ADJUST"
        ),
        (
            ["SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "RAW", "ENTRY_END", "RANGE_END", "SCENARIO_END"],
            4, "not supported"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "SECTION QUESTION", "a. A", "RANGE_END",
                "SCENARIO_END",
            ],
            6, "ENTRY_END missing"
        ),
        (
            [
                "SCENARIO_BEGIN x", "RANGE_BEGIN 0 1", "ENTRY_BEGIN", "SECTION QUESTION", "a. A", "ENTRY_END",
                "STEP 1 QUERY", "SCENARIO_END",
            ],
            7, "RANGE_END missing"
        ),
        (["SCENARIO_BEGIN x", "STEP 1 QUERY", "STEP 2 QUERY", "SCENARIO_END"], 2, "must be followed by ENTRY_BEGIN"),
        (
            ["SCENARIO_BEGIN x", "STEP 1 QUERY", "ENTRY_BEGIN", "REPLY RD", "ENTRY_END", "SCENARIO_END"],
            3, "needs a SECTION QUESTION"
        ),
        (
            [
                "SCENARIO_BEGIN x", "STEP 1 CHECK_ANSWER", "ENTRY_BEGIN", "MATCH everything", "ENTRY_END",
                "SCENARIO_END",
            ],
            4, "does not apply to CHECK_ANSWER"
        ),
        (
            ["SCENARIO_BEGIN x", "STEP 2 TIME_PASSES ELAPSE 1", "STEP 2 TIME_PASSES ELAPSE 1", "SCENARIO_END"],
            3, "steps must increase"
        ),
        (["SCENARIO_BEGIN x", "STEP 1 TIME_PASSES 10", "SCENARIO_END"], 2, "ELAPSE"),
        (["SCENARIO_BEGIN x", "STEP 1 TIME_PASSES ELAPSE ten", "SCENARIO_END"], 2, "bad number of seconds"),
        (["SCENARIO_BEGIN x", "STEP 1 REPLY", "SCENARIO_END"], 2, "unsupported step kind 'REPLY'"),
        (["SCENARIO_BEGIN x", "STEP 1 CHECK_UPSTREAM_QUERIES", "SCENARIO_END"], 2, "needs a count"),
        (["SCENARIO_BEGIN x", "STEP 1 CHECK_UPSTREAM_SEQUENCE", "192.0.2.1 example.", "SCENARIO_END"], 3, "qtype"),
        (
            ["SCENARIO_BEGIN x", "STEP 1 CHECK_UPSTREAM_SEQUENCE", "192.0.2.1 example. A quic", "SCENARIO_END"],
            3, "unknown word"
        ),
        (["SCENARIO_BEGIN x", "START_TIME tomorrow", "SCENARIO_END"], 2, "bad START_TIME"),
        (["SCENARIO_BEGIN x", "UNMATCHED 192.0.2.1 ignore", "SCENARIO_END"], 2, "bad UNMATCHED policy"),
        (["SCENARIO_BEGIN x", "SCENARIO_END", "STEP 1 QUERY"], 3, "after SCENARIO_END"),
    ]

    /// Each bad scenario is rejected with the file name, the right line and a useful message.
    @Test(arguments: 0..<badScenarios.count)
    func rejectsWithLine(index: Int) {
        let (lines, line, fragment) = Self.badScenarios[index]
        let text = lines.joined(separator: "\n")
        do {
            _ = try Scenario(parsing: text, fileName: "bad.rpl")
            Issue.record("case \(index) parsed: \(text)")
        } catch {
            #expect(error.file == "bad.rpl")
            #expect(error.line == line, "case \(index): \(error)")
            #expect(error.code == .badScript)
            #expect(error.reason.contains(fragment), "case \(index): \(error)")
            #expect(error.description.hasPrefix("bad.rpl:\(line): "))
        }
    }
}
