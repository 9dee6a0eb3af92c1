// Primary responsibilities: the git revision compiled into MamoriControl (``MamoriVersion``), read
// at every build so `mamorid --version` and `mamorictl version` name the commit the binary was
// built from; "unknown" when the source is not a git checkout (a release tarball).

import Foundation
import PackagePlugin

/// Writes `GitRevision.swift` before each build of the target, rewriting it only when the revision
/// changed so an unchanged tree rebuilds nothing.
@main
struct MamoriRevision: BuildToolPlugin {
    /// The shell script: `$1` the package directory, `$2` the output directory.
    static let script = """
        revision=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
        mkdir -p "$2"
        file="$2/GitRevision.swift"
        line="package let mamoriGitRevision = \\"$revision\\""
        [ "$(cat "$file" 2>/dev/null)" = "$line" ] || printf '%s\\n' "$line" > "$file"
        """

    /// One prebuild command: it runs at every build, before the target's sources are compiled.
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "GitRevision")
        return [
            .prebuildCommand(
                displayName: "git revision of \(target.name)", executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "sh", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
