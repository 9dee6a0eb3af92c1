// Primary responsibilities: the one place Mamori's version is written — printed by
// `mamorid --version`, `mamorictl --version` and the control command `version`.

/// Mamori's release version and the git revision the binary was built from.
package enum MamoriVersion {
    /// The release version (semantic versioning); raised when a release is tagged.
    package static let version = "0.1.0"
    /// `git describe --always --dirty` of the source tree at build time (the MamoriRevision build
    /// plugin), or "unknown" outside a git checkout.
    package static let revision = mamoriGitRevision
    /// `VERSION (REVISION)`, as `--version` prints it.
    package static let description = "\(version) (\(revision))"
}
