// Primary responsibilities: one scripted behaviour of an authoritative server — which queries it
// applies to, what it does, what it answers, how long the answer takes — and where it was written.

import DNSWire

/// One entry of a scripted server: a match, an action and a response (`.rpl` `ENTRY_BEGIN` …
/// `ENTRY_END` inside a `RANGE_BEGIN`).
package struct ScriptedEntry: Hashable, Sendable {
    /// A name to refer to the entry by (`ENTRY_BEGIN label`), for ``ScriptedNetwork/timesMatched(label:)``
    /// and `CHECK_ENTRY_USED`.
    package var label: String?
    /// The queries it applies to.
    package var match: QueryMatch
    /// What happens when it applies.
    package var action: EntryAction
    /// The response used by the actions that answer.
    package var response: ScriptedResponse
    /// How long the answer takes to arrive; the clock moves by this much (`ADJUST delay=ms`). A
    /// delay at or beyond the query's timeout is a timeout.
    package var delay: Duration
    /// The line of `ENTRY_BEGIN` in the scenario file, when the entry came from one.
    package var sourceLine: Int?

    /// Creates an entry.
    /// - Parameters:
    ///   - label: an optional name.
    ///   - match: the queries it applies to.
    ///   - action: what it does.
    ///   - response: what it answers.
    ///   - delay: the answer's travel time.
    ///   - sourceLine: the scenario line, if any.
    package init(
        label: String? = nil, match: QueryMatch, action: EntryAction = .reply,
        response: ScriptedResponse = ScriptedResponse(), delay: Duration = .zero, sourceLine: Int? = nil
    ) {
        self.label = label
        self.match = match
        self.action = action
        self.response = response
        self.delay = delay
        self.sourceLine = sourceLine
    }
}
