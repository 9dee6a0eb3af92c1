// Primary responsibilities: a parsed replay scenario — configuration lines, description, start time,
// scripted servers, unmatched-query policies and steps — and loading one from a file.

import Foundation
public import Resolver

/// A replay scenario, as read from a `.rpl`-style file (see `Docs/replay-format.md`).
public struct Scenario: Sendable {
    /// The file name used in messages.
    public var fileName: String
    /// The `SCENARIO_BEGIN` text.
    public var description: String
    /// The configuration block, in order, for the test to interpret.
    public var config: [ConfigLine]
    /// The wall time the clock starts at (`START_TIME`), or nil for ``ManualClock/defaultWallSeconds``.
    public var startWallSeconds: Int64?
    /// The scripted servers.
    public var ranges: [ScriptedRange]
    /// `UNMATCHED` lines: a server (nil for every server) and its policy, in order.
    public var unmatchedPolicies: [(ServerAddress?, UnmatchedPolicy)]
    /// The steps, in increasing number order.
    public var steps: [ScenarioStep]

    /// Creates a scenario.
    /// - Parameters:
    ///   - fileName: the name used in messages.
    ///   - description: what it tests.
    ///   - config: configuration lines.
    ///   - startWallSeconds: the wall start, or nil for the default.
    ///   - ranges: scripted servers.
    ///   - unmatchedPolicies: policies for unmatched queries.
    ///   - steps: the steps.
    public init(
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
    public init(parsing text: String, fileName: String) throws(ScenarioError) {
        var parser = ScenarioParser(text: text, fileName: fileName)
        self = try parser.parse()
    }

    /// Reads and parses a scenario file.
    /// - Parameter path: the file's path; errors name its last component.
    /// - Throws: ``ScenarioError`` (line 0 when the file cannot be read).
    public init(contentsOfFile path: String) throws(ScenarioError) {
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
    public func config(for key: String) -> [String] {
        config.filter { $0.key == key }.map(\.value)
    }

    /// The paths of the `.rpl` files in a folder, sorted, for parameterised tests.
    /// - Parameter directory: the folder.
    /// - Returns: full paths; empty when the folder cannot be read.
    public static func files(inDirectory directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { $0.hasSuffix(".rpl") }.sorted().map { base + $0 }
    }
}
