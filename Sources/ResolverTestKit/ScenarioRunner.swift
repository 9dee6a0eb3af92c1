// Primary responsibilities: running a scenario's steps in order against a resolver given as a
// closure — setting the network's current step, sending client queries one at a time, moving the
// clock, checking answers and upstream queries — and collecting every failure with both sides.

import DNSWire

/// Runs a ``Scenario`` against a resolver.
///
/// ```swift
/// let scenario = try Scenario(contentsOfFile: path)
/// let runner = ScenarioRunner(scenario: scenario)
/// let engine = makeEngine(transport: runner.network, clock: runner.clock, config: scenario.config)
/// let report = await runner.run { query in await engine.resolve(query) }
/// #expect(report.passed, "\(report)")
/// ```
///
/// Steps run in order; each `QUERY` is awaited before the next step, so a resolution runs alone and
/// its upstream queries are attributed to its step. Answers queue up until a `CHECK_ANSWER` takes
/// the oldest; an answer never checked is a failure. A failure does not stop the run.
package struct ScenarioRunner: Sendable {
    /// The scenario.
    package let scenario: Scenario
    /// The clock the resolver must read.
    package let clock: ManualClock
    /// The transport the resolver must use.
    package let network: ScriptedNetwork

    /// Creates a runner with a fresh clock (at the scenario's `START_TIME`, or
    /// ``ManualClock/defaultWallSeconds``) and a network scripted by the scenario.
    /// - Parameter scenario: the scenario.
    package init(scenario: Scenario) {
        let clock = ManualClock(wallSeconds: scenario.startWallSeconds ?? ManualClock.defaultWallSeconds)
        self.init(scenario: scenario, clock: clock, network: ScriptedNetwork(scenario: scenario, clock: clock))
    }

    /// Creates a runner over a clock and network made elsewhere (for example with entries added in code).
    /// - Parameters:
    ///   - scenario: the scenario whose steps run.
    ///   - clock: the clock.
    ///   - network: the network.
    package init(scenario: Scenario, clock: ManualClock, network: ScriptedNetwork) {
        self.scenario = scenario
        self.clock = clock
        self.network = network
    }

    /// Runs every step.
    /// - Parameter resolve: the resolver: a client query in, the answer to the client out.
    /// - Returns: the report; ``ReplayReport/passed`` when every check held.
    package func run(_ resolve: (Message) async -> Message) async -> ReplayReport {
        var failures: [ReplayFailure] = []
        var pending: [(step: ScenarioStep, answer: Message)] = []
        var mark = 0  // upstream queries before this index were covered by an earlier upstream check
        /// Records a failure of `step`.
        func fail(_ step: ScenarioStep, _ summary: [String], expected: String = "", actual: String = "") {
            failures.append(
                ReplayFailure(
                    step: step.number, file: scenario.fileName, line: step.line, summary: summary, expected: expected,
                    actual: actual))
        }
        for step in scenario.steps {
            network.currentStep = step.number
            switch step.kind {
            case .query(let query):
                pending.append((step, await resolve(query)))
            case .checkAnswer(let expectation):
                guard !pending.isEmpty else {
                    fail(step, ["no answer to check: no QUERY step is waiting"])
                    continue
                }
                let (queryStep, answer) = pending.removeFirst()
                let differences = AnswerComparison.differences(expectation, answer)
                if !differences.isEmpty {
                    fail(
                        step, ["answer to step \(queryStep.number) differs"] + differences,
                        expected: expectation.message.description, actual: answer.description)
                }
            case .timePasses(let duration):
                clock.advance(by: duration)
            case .checkUpstreamQueries(let count):
                let queries = network.queries
                let recent = queries[min(mark, queries.count)...]
                if recent.count != count {
                    fail(
                        step, ["expected \(count) upstream queries, got \(recent.count)"],
                        actual: recent.map { "  \($0)" }.joined(separator: "\n"))
                }
                mark = queries.count
            case .checkUpstreamSequence(let expected):
                let queries = network.queries
                let recent = Array(queries[min(mark, queries.count)...])
                let matches = expected.count == recent.count && zip(expected, recent).allSatisfy { $0.matches($1) }
                if !matches {
                    var summary = ["upstream queries differ from the expected sequence"]
                    if let first = zip(expected, recent).enumerated().first(where: {
                        !$0.element.0.matches($0.element.1)
                    })?.offset {
                        summary.append("first difference at position \(first + 1)")
                    } else {
                        summary.append("expected \(expected.count) queries, got \(recent.count)")
                    }
                    fail(
                        step, summary, expected: expected.map { "  \($0)" }.joined(separator: "\n"),
                        actual: recent.map { "  \($0)" }.joined(separator: "\n"))
                }
                mark = queries.count
            case .checkEntryUsed(let label, let count):
                if let used = network.timesMatched(label: label) {
                    if used != count { fail(step, ["entry '\(label)' used \(used) times, expected \(count)"]) }
                } else {
                    fail(step, ["no entry is labelled '\(label)'"])
                }
            }
        }
        for (step, answer) in pending {
            fail(step, ["the answer to this QUERY was never checked"], actual: answer.description)
        }
        failures.sort { $0.step < $1.step }
        return ReplayReport(
            file: scenario.fileName, scenarioDescription: scenario.description, failures: failures,
            stepsRun: scenario.steps.count, upstreamQueries: network.queries)
    }
}
