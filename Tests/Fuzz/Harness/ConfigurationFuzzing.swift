// Primary responsibilities: the property the configuration fuzz target checks — any text either
// decodes to a Configuration or is refused with diagnostics that point into the file, and decoding
// is a function of the text alone.

import MamoriConfiguration

/// Checks `mamori.yaml` decoding (YAML text → ``Configuration``, through Yams and libyaml).
package enum ConfigurationFuzzing {
    /// The file name diagnostics must carry.
    static let file = "fuzz/mamori.yaml"
    /// Where relative paths resolve: a folder that does not exist, so no input names a real file
    /// by a relative path.
    static let baseDirectory = "/nonexistent/mamori-fuzz"

    /// Decodes `input` twice and checks the outcome.
    ///
    /// Input that is not UTF-8 is skipped: `Configuration.load(path:)` refuses it before decoding.
    /// - Parameter input: untrusted bytes, read as the text of a configuration file.
    /// - Returns: what is wrong, or nil when the property holds.
    package static func failure(_ input: [UInt8]) -> String? {
        guard let text = String(validating: input, as: UTF8.self) else { return nil }
        let first = decode(text)
        let second = decode(text)
        guard second == first else {
            return "decoding the same text twice gave two results: \(first) and \(second)"
        }
        guard case .failure(let error) = first else { return nil }
        guard !error.diagnostics.isEmpty else { return "refused without a diagnostic" }
        for diagnostic in error.diagnostics {
            guard diagnostic.file == file else { return "diagnostic names another file: \(diagnostic)" }
            // An operator must be able to find the problem: a line, or at least a key.
            guard diagnostic.line > 0 || !diagnostic.keyPath.isEmpty else {
                return "diagnostic names neither a line nor a key: \(diagnostic)"
            }
        }
        return nil
    }

    /// One decoding, as `mamorid --check-config` does it.
    static func decode(_ text: String) -> Result<Configuration, ConfigurationError> {
        Result { () throws(ConfigurationError) in
            try Configuration(yaml: text, file: file, baseDirectory: baseDirectory)
        }
    }
}
