// Primary responsibilities: a parsed replay scenario — configuration lines, description, start time,
// scripted servers, unmatched-query policies and steps — and loading one from a file.

import Foundation
import Resolver

/// A replay scenario, as read from a `.rpl`-style file (see `Docs/replay-format.md`).
package struct Scenario: Sendable {
    /// The file name used in messages.
    package var fileName: String
    /// The `SCENARIO_BEGIN` text.
    package var description: String
    /// The configuration block, in order, for the test to interpret.
    package var config: [ConfigLine]
    /// The wall time the clock starts at (`START_TIME`), or nil for ``ManualClock/defaultWallSeconds``.
    package var startWallSeconds: Int64?
    /// The scripted servers.
    package var ranges: [ScriptedRange]
    /// `UNMATCHED` lines: a server (nil for every server) and its policy, in order.
    package var unmatchedPolicies: [(ServerAddress?, UnmatchedPolicy)]
    /// The steps, in increasing number order.
    package var steps: [ScenarioStep]

    /// Creates a scenario.
    /// - Parameters:
    ///   - fileName: the name used in messages.
    ///   - description: what it tests.
    ///   - config: configuration lines.
    ///   - startWallSeconds: the wall start, or nil for the default.
    ///   - ranges: scripted servers.
    ///   - unmatchedPolicies: policies for unmatched queries.
    ///   - steps: the steps.
    package init(
        fileName: String, description: String, config: [ConfigLine] = [], startWallSeconds: Int64? = nil,
        ranges: [ScriptedRange] = [], unmatchedPolicies: [(ServerAddress?, UnmatchedPolicy)] = [],
        steps: [ScenarioStep] = []
    ) {
        self.fileName = fileName
        self.description = description
        self.config = config
        self.startWallSeconds = startWallSeconds
        self.ranges = ranges
        self.unmatchedPolicies = unmatchedPolicies
        self.steps = steps
    }

    /// Parses scenario text.
    /// - Parameters:
    ///   - text: the scenario.
    ///   - fileName: the name errors give.
    /// - Throws: ``ScenarioError`` naming the file and line of the first problem.
    package init(parsing text: String, fileName: String) throws(ScenarioError) {
        var parser = ScenarioParser(text: text, fileName: fileName)
        self = try parser.parse()
    }

    /// Reads and parses a scenario file.
    /// - Parameter path: the file's path; errors name its last component.
    /// - Throws: ``ScenarioError`` (line 0 when the file cannot be read).
    package init(contentsOfFile path: String) throws(ScenarioError) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(.unreadable, "cannot read: \(error)", file: name, line: 0)
        }
        try self.init(parsing: text, fileName: name)
    }

    /// The configuration values for a key, in order (`config(for: "qname-minimisation")`).
    /// - Parameter key: the key, compared exactly.
    /// - Returns: the values.
    package func config(for key: String) -> [String] {
        config.filter { $0.key == key }.map(\.value)
    }

    /// The paths of the `.rpl` files in a folder, sorted, for parameterised tests.
    /// - Parameter directory: the folder.
    /// - Returns: full paths; empty when the folder cannot be read.
    package static func files(inDirectory directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { $0.hasSuffix(".rpl") }.sorted().map { base + $0 }
    }
}
