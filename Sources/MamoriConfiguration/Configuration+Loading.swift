// Primary responsibilities: reading a configuration from a file or from text, resolving relative
// paths against the file's folder, and turning every problem into a ConfigurationError.

import Foundation

extension Configuration {
    /// Parses YAML text.
    /// - Parameters:
    ///   - yaml: the document; empty means the defaults.
    ///   - file: the name shown in errors.
    ///   - baseDirectory: where relative paths start (the file's folder).
    /// - Throws: ``ConfigurationError`` listing every unknown key and bad value.
    package init(yaml: String, file: String = "<string>", baseDirectory: String? = nil) throws(ConfigurationError) {
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath
        var decoder = ConfigurationDecoder(file: file, baseDirectory: base)
        let configuration = decoder.decode(text: yaml)
        if decoder.diagnostics.isEmpty { decoder.checkConsistency(configuration, root: yaml) }
        guard decoder.diagnostics.isEmpty else { throw ConfigurationError(.invalid, diagnostics: decoder.diagnostics) }
        self = configuration
    }

    /// Reads and parses a configuration file.
    /// - Parameter path: the file; relative paths inside it are resolved against its folder.
    /// - Throws: ``ConfigurationError``, also when the file cannot be read.
    package static func load(path: String) throws(ConfigurationError) -> Configuration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = Self.readFailure(path)
            throw ConfigurationError(
                .unreadable,
                diagnostics: [
                    ConfigurationDiagnostic(
                        file: path, line: 0, column: 0, keyPath: "", message: "cannot read: \(reason)")
                ])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(
                .unreadable,
                diagnostics: [
                    ConfigurationDiagnostic(file: path, line: 0, column: 0, keyPath: "", message: "not UTF-8 text")
                ])
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        return try Configuration(yaml: text, file: path, baseDirectory: absolute.deletingLastPathComponent().path)
    }

    /// The system's reason a file cannot be opened (e.g. "No such file or directory").
    private static func readFailure(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        if descriptor >= 0 {
            close(descriptor)
            return "unreadable"
        }
        return String(cString: strerror(errno))
    }
}
