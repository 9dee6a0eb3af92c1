// Primary responsibilities: the git revision compiled into MamoriControl (``MamoriVersion``), so
// `mamorid --version` and `mamorictl version` name the commit the binary was built from; "unknown"
// when the source is not a git checkout (a release tarball).

import Foundation
import PackagePlugin

/// Writes `GitRevision.swift` whenever git's record of the checkout changes, rewriting it only when
/// the revision changed so an unchanged tree rebuilds nothing.
@main
struct MamoriRevision: BuildToolPlugin {
    /// The shell script: `$1` the package directory, `$2` the output file.
    static let script = """
        revision=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
        line="package let mamoriGitRevision = \\"$revision\\""
        [ "$(cat "$2" 2>/dev/null)" = "$line" ] || printf '%s\\n' "$line" > "$2"
        """

    /// One build command whose inputs are git's HEAD, its log (appended at every commit and
    /// checkout) and its index (rewritten when files are staged): a commit re-runs it even when no
    /// source changed. (A prebuild command ran only when SwiftPM had something else to build, so a
    /// commit that touched no source left the old revision in the binary.)
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "GitRevision.swift")
        let inputs =
            Self.gitDirectory(of: package).map { git in
                ["HEAD", "logs/HEAD", "index"].map { git.appending(path: $0) }
                    .filter { FileManager.default.fileExists(atPath: $0.path) }
            } ?? []
        return [
            .buildCommand(
                displayName: "git revision of \(target.name)", executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "sh", package.path, output.path], inputFiles: inputs,
                outputFiles: [output])
        ]
    }

    /// The checkout's git directory: `.git`, or where a worktree's `.git` file points (`gitdir: PATH`).
    static func gitDirectory(of package: URL) -> URL? {
        let dotGit = package.appending(path: ".git")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir: ") else {
            return nil
        }
        let path = text.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
    }
}
