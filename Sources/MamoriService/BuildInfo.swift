// Primary responsibilities: the one place that says which Mamori this is — the version, set here,
// and the git revision, which Package.swift reads when it evaluates the manifest — for the
// `mamori_build_info` metric (and for `mamorid --version`).

import CMamoriProcess

/// Which Mamori is running.
package enum BuildInfo {
    /// The release version (semantic versioning); raised by hand when a release is made.
    package static let version = "0.1.0-dev"
    /// The git commit built (12 hex digits, `-dirty` with uncommitted changes), or `unknown`.
    package static var revision: String { String(cString: CMamoriProcess_revision()) }
}
