// Primary responsibilities: the outcome of running a scenario — its failures and the upstream query
// log — printed so that a failing test explains itself.

/// What running a scenario found.
package struct ReplayReport: Sendable, CustomStringConvertible {
    /// The scenario file name.
    package var file: String
    /// The scenario description.
    package var scenarioDescription: String
    /// The failed checks, in step order.
    package var failures: [ReplayFailure]
    /// The number of steps run.
    package var stepsRun: Int
    /// Every upstream query the network received.
    package var upstreamQueries: [UpstreamQueryRecord]

    /// Creates a report.
    /// - Parameters:
    ///   - file: the file name.
    ///   - scenarioDescription: the `SCENARIO_BEGIN` text.
    ///   - failures: the failures.
    ///   - stepsRun: steps run.
    ///   - upstreamQueries: the query log.
    package init(
        file: String, scenarioDescription: String, failures: [ReplayFailure], stepsRun: Int,
        upstreamQueries: [UpstreamQueryRecord]
    ) {
        self.file = file
        self.scenarioDescription = scenarioDescription
        self.failures = failures
        self.stepsRun = stepsRun
        self.upstreamQueries = upstreamQueries
    }

    /// Whether every check passed.
    package var passed: Bool { failures.isEmpty }

    /// A one-line verdict; on failure, each failure and the upstream query log.
    package var description: String {
        let head = "\(file) (\(scenarioDescription)): "
        guard !passed else {
            return head + "passed, \(stepsRun) steps, \(upstreamQueries.count) upstream queries"
        }
        var text = head + "\(failures.count) failure\(failures.count == 1 ? "" : "s")\n"
        text += failures.map(\.description).joined(separator: "\n\n")
        text += "\n\nupstream queries:\n" + upstreamQueries.map { "  \($0)" }.joined(separator: "\n")
        return text
    }
}
