// Primary responsibilities: the command line of `mamorid` (swift-argument-parser): which
// configuration to read, `--check-config`, and handing over to ``Daemon``.

import ArgumentParser
import CMamoriProcess
import MamoriConfiguration
import MamoriControl
import MamoriService

#if canImport(Glibc)
    import Glibc
#endif

/// The entry point: parses the command line mamorid was really given (``ProcessArguments``).
@main
enum MamoridMain {
    /// Runs ``Mamorid`` on the captured arguments, or exits 2 when there are none to read: running
    /// on built-in defaults (port 53, the real root) instead of the given `--config` would be worse.
    static func main() {
        guard let arguments = ProcessArguments.captured() else {
            FileHandleOutput.standardError(
                "mamorid: cannot read its own command line; refusing to run on a configuration it was not given\n")
            exit(2)
        }
        Mamorid.main(Array(arguments.dropFirst()))
    }
}

/// The process's command line.
enum ProcessArguments {
    /// argv as the C runtime passed it to the executable's initialisers (CMamoriProcess says why
    /// `CommandLine.arguments` is not enough), else `CommandLine.arguments`; nil when neither has
    /// even the program name.
    static func captured() -> [String]? {
        if let argv = CMamoriProcess_argv(), CMamoriProcess_argc() > 0 {
            return (0..<Int(CMamoriProcess_argc())).compactMap { argv[$0].map { String(cString: $0) } }
        }
        return CommandLine.arguments.isEmpty ? nil : CommandLine.arguments
    }
}

/// `mamorid`: the Mamori validating recursive DNS resolver daemon.
struct Mamorid: ParsableCommand {
    /// What `--help` shows.
    static let configuration = CommandConfiguration(
        commandName: "mamorid",
        abstract: "Mamori: a validating recursive DNS resolver.",
        discussion: """
            Runs in the foreground and logs to the journal under systemd, else to stderr (logging.format). \
            SIGHUP reloads the configuration, SIGTERM and SIGINT stop the daemon. \
            Without a configuration file it listens on 127.0.0.1 and ::1 port 53 with built-in \
            root hints and trust anchors.
            """,
        version: MamoriVersion.description)

    /// The configuration file.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The configuration file (default: \(MamoriConfiguration.Configuration.defaultPath)).", valueName: "file"))
    var config: String?

    /// Only check the configuration.
    @Flag(name: .long, help: "Check the configuration, print OK or every error, and exit (0 or 1).")
    var checkConfig = false

    /// Loads the configuration, then checks it or runs the daemon.
    func run() throws {
        let source = ConfigurationSource(
            path: config ?? MamoriConfiguration.Configuration.defaultPath, explicit: config != nil)
        let loaded: MamoriConfiguration.Configuration
        do {
            loaded = try source.load()
        } catch {
            FileHandleOutput.standardError("\(error)\n")
            throw ExitCode(1)
        }
        if checkConfig {
            do {
                try ResolverDaemon.checkFiles(loaded)
            } catch {
                FileHandleOutput.standardError("\(error)\n")
                throw ExitCode(1)
            }
            print("\(loaded.sourceFile ?? "built-in defaults (\(source.path) not found)"): OK")
            return
        }
        Daemon.run(source: source, configuration: loaded)
    }
}

/// Unbuffered writes to stderr, for messages before logging is set up.
enum FileHandleOutput {
    /// Writes text to stderr.
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
