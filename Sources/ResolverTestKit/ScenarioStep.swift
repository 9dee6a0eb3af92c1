// Primary responsibilities: one `STEP` of a scenario — a client query, a check of an answer, time
// passing, or a check of the upstream queries or of an entry's use.

import DNSWire

/// One step of a scenario.
package struct ScenarioStep: Hashable, Sendable {
    /// What the step does.
    package enum Kind: Hashable, Sendable {
        /// `QUERY`: the client sends this query; the answer waits for the next `CHECK_ANSWER`.
        case query(Message)
        /// `CHECK_ANSWER`: the oldest unchecked answer must meet the expectation.
        case checkAnswer(AnswerExpectation)
        /// `TIME_PASSES ELAPSE s`: the clock moves.
        case timePasses(Duration)
        /// `CHECK_UPSTREAM_QUERIES n`: exactly `n` upstream queries since the previous upstream check
        /// (`CHECK_UPSTREAM_QUERIES` or `CHECK_UPSTREAM_SEQUENCE`), or since the start.
        case checkUpstreamQueries(Int)
        /// `CHECK_UPSTREAM_SEQUENCE`: the upstream queries since the previous upstream check are
        /// exactly these, in this order.
        case checkUpstreamSequence([ExpectedUpstreamQuery])
        /// `CHECK_ENTRY_USED label n`: the entries with this label handled `n` queries since the start.
        case checkEntryUsed(label: String, count: Int)
    }

    /// The step number; steps run in increasing order and ranges refer to these numbers.
    package var number: Int
    /// What the step does.
    package var kind: Kind
    /// The 1-based line of the `STEP` line, 0 when built in code.
    package var line: Int

    /// Creates a step.
    /// - Parameters:
    ///   - number: the step number.
    ///   - kind: what it does.
    ///   - line: the scenario line.
    package init(number: Int, kind: Kind, line: Int = 0) {
        self.number = number
        self.kind = kind
        self.line = line
    }
}
