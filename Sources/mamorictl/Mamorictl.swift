// Primary responsibilities: `mamorictl`, the operator's command line for a running mamorid — each
// subcommand sends one line over the control socket (Docs/control.md) and prints the answer.

import ArgumentParser
import MamoriConfiguration
import MamoriControl

#if canImport(Glibc)
    import Glibc
#endif

/// `mamorictl`: talks to a running `mamorid` over its control socket.
@main
struct Mamorictl: ParsableCommand {
    /// What `--help` shows.
    static let configuration = CommandConfiguration(
        commandName: "mamorictl",
        abstract: "Control a running mamorid over its control socket.",
        discussion: """
            Exit status: 0 when the daemon answered ok, 1 when it answered with an error, \
            2 when the control socket could not be reached.
            """,
        version: MamoriVersion.description,
        subcommands: [
            Version.self, Status.self, Stats.self, Reload.self, Flush.self, NTA.self, Anchors.self, Lookup.self,
            DumpCache.self, LoadCache.self, List.self, Forward.self, Config.self,
        ])

    /// `--socket` and `--config` may come before the subcommand too.
    @OptionGroup var options: SocketOptions
}

/// Where the control socket is: `--socket`, or the `control.socket` of `--config`, or the default.
struct SocketOptions: ParsableArguments {
    /// The socket path.
    @Option(
        name: .long,
        help: ArgumentHelp("The control socket (default: control.socket of the configuration).", valueName: "path"))
    var socket: String?

    /// The configuration file to read `control.socket` from.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's configuration file (default: \(Configuration.defaultPath)).", valueName: "file"))
    var config: String?

    /// The path to connect to.
    func path() throws -> String {
        if let socket { return socket }
        let file = config ?? Configuration.defaultPath
        var configuration = Configuration()
        if config != nil || access(file, F_OK) == 0 {
            do {
                configuration = try Configuration.load(path: file)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        guard let path = configuration.control.socket else {
            throw ValidationError("\(file) disables the control socket (control.socket: false)")
        }
        return path
    }

    /// Sends the command `words` spell (checked here with the daemon's own grammar, MamoriControl)
    /// and prints the answer; exits 1 on a refused command or an `error:` answer, 2 when unreachable.
    func send(_ words: String...) throws {
        for line in try exchange(words) { print(line) }
    }

    /// ``send(_:)`` returning the answer's lines instead of printing them.
    func exchange(_ words: [String]) throws -> [String] {
        let command: ControlCommand
        do {
            command = try ControlCommand(line: words.joined(separator: " "))
        } catch {
            writeError("mamorictl: \(error)\n")
            throw ExitCode(1)
        }
        let path = try path()
        guard let answer = ControlClient.exchange(command.line, path: path) else {
            var text = "mamorictl: cannot reach mamorid at \(path): \(String(cString: strerror(errno)))\n"
            text += "(is mamorid running, with control.socket set, and may this user open the socket?)\n"
            writeError(text)
            throw ExitCode(2)
        }
        guard let reply = ControlReply(answer: answer), reply.succeeded else {
            writeError(
                "mamorictl: " + (ControlReply(answer: answer)?.lines.first ?? "unreadable answer: \(answer)") + "\n")
            throw ExitCode(1)
        }
        return reply.lines
    }
}

/// Writes `text` to standard error, unbuffered.
func writeError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// `mamorictl status`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Uptime, addresses, validation, cache and waiting queries.")
    @OptionGroup var options: SocketOptions
    func run() throws { try options.send("status") }
}

/// `mamorictl stats [--since-last [--checkpoint NAME]]`.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counters and sizes, one `name value` per line; with --since-last, what changed.",
        discussion: """
            --since-last prints each value's change since this user's previous `stats --since-last` \
            with the same --checkpoint (default "last"): the values are kept in \
            $XDG_RUNTIME_DIR/mamorictl/stats-CHECKPOINT (else /tmp/mamorictl-UID/), so operators and \
            scripts with their own checkpoints never disturb one another; nothing is reset in the daemon. \
            The first call, or one after the daemon restarted, counts from zero and says so.
            """)
    @OptionGroup var options: SocketOptions
    @Flag(name: .customLong("since-last"), help: "Print changes since the previous call with this checkpoint.")
    var sinceLast = false
    @Option(help: ArgumentHelp("The checkpoint's name (letters, digits, - and _).", valueName: "name"))
    var checkpoint = "last"
    func validate() throws {
        guard StatsSnapshot.isValidCheckpoint(checkpoint) else {
            throw ValidationError("--checkpoint takes letters, digits, - and _, at most 64")
        }
    }
    func run() throws {
        let lines = try options.exchange(["stats"])
        guard sinceLast else { return lines.forEach { print($0) } }
        let now = StatsSnapshot(lines: lines)
        let file = StatsCheckpointFile.path(named: checkpoint)
        for line in now.delta(since: StatsCheckpointFile.read(file)) { print(line) }
        if let problem = StatsCheckpointFile.write(now, to: file) {
            writeError("mamorictl: checkpoint not saved: \(problem)\n")
        }
    }
}

/// `mamorictl reload`.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-read the configuration file (as SIGHUP does); says why if it was rejected.")
    @OptionGroup var options: SocketOptions
    func run() throws { try options.send("reload") }
}

/// `mamorictl flush …`.
struct Flush: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop cached data.",
        discussion:
            "all: everything; name NAME: that name's entries; zone NAME: everything at and below NAME, keys and DS included; infra: what is known about upstream servers; bogus: entries judged bogus; negative: NXDOMAIN and NODATA answers; requests: new queries stop joining the resolutions in flight (those finish and answer their clients)."
    )
    @OptionGroup var options: SocketOptions
    @Argument(help: "all, name, zone, infra, bogus, negative or requests.") var what: String
    @Argument(help: "The name, for name and zone.") var name: String?
    func run() throws { try options.send("flush", what, name ?? "") }
}

/// `mamorictl nta …`.
struct NTA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nta",
        abstract: "Negative trust anchors (RFC 7646): validation off at and below a name.",
        discussion:
            "list; add NAME [SECONDS] (at most a week; without SECONDS until removed); remove NAME. Cached data at and below NAME is dropped on add and remove. NTAs added here are kept in the state directory and outlive a restart, unless the configured trust anchors changed."
    )
    @OptionGroup var options: SocketOptions
    @Argument(help: "list, add or remove.") var action: String
    @Argument(help: "The name, for add and remove.") var name: String?
    @Argument(help: "Lifetime in seconds, for add.") var seconds: Int?
    func run() throws {
        try options.send("nta", action, name ?? "", seconds.map(String.init) ?? "")
    }
}

/// `mamorictl anchors`.
struct Anchors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The trust anchors, and the RFC 5011 state of managed keys.")
    @OptionGroup var options: SocketOptions
    func run() throws { try options.send("anchors") }
}

/// `mamorictl lookup`.
struct Lookup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve a name as a client would and explain how the answer was judged.",
        discussion: """
            Prints the result and its Extended DNS Errors, the records with their RRSIGs, and the chain \
            of trust from the closest trust anchor down to the signer: the DS at each zone cut and the \
            DNSKEY set, each with its verdict and, when not secure, the reason.
            """)
    @OptionGroup var options: SocketOptions
    @Argument(help: "The name.") var name: String
    @Argument(help: "The record type (default A).") var type: String = "A"
    @Flag(name: .customLong("cd"), help: "Ask with CD=1: bogus data is returned, not refused.") var checkingDisabled =
        false
    func run() throws { try options.send("lookup", name, type, checkingDisabled ? "cd" : "") }
}

/// `mamorictl version`: the daemon's (`--version` prints this tool's).
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The running daemon's version and git revision.")
    @OptionGroup var options: SocketOptions
    func run() throws { try options.send("version") }
}

/// A path as the daemon must see it: absolute, from this tool's working directory.
private func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return directory + "/" + path
}

/// `mamorictl dump-cache FILE`.
struct DumpCache: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-cache",
        abstract: "Write the cache to FILE (and FILE.identity), as the daemon does at shutdown.",
        discussion: """
            The daemon writes the file itself, atomically, as its own user (mamori under systemd): \
            FILE's directory must be writable by it. FILE.identity records the settings that judged \
            the cache, so load-cache can refuse a dump made under another configuration.
            """)
    @OptionGroup var options: SocketOptions
    @Argument(help: "The file (relative to this directory).") var file: String
    func run() throws { try options.send("dump-cache", absolute(file)) }
}

/// `mamorictl load-cache FILE`.
struct LoadCache: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-cache",
        abstract: "Load a dump-cache FILE into the cache, if it was judged under the settings in force.",
        discussion: """
            Refused, naming the settings that differ, when FILE.identity does not match the daemon's \
            configuration (trust anchors, forward zones, root hints, validation…); expired entries and \
            secure entries whose signatures expired are skipped.
            """)
    @OptionGroup var options: SocketOptions
    @Argument(help: "The file (relative to this directory).") var file: String
    func run() throws { try options.send("load-cache", absolute(file)) }
}

/// `mamorictl list requests`.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "requests: the resolutions in flight, oldest first: question, age, waiting clients.")
    @OptionGroup var options: SocketOptions
    @Argument(help: "requests.") var what: String
    func run() throws { try options.send("list", what) }
}

/// `mamorictl forward …`.
struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forward zones at run time, until the next reload or restart.",
        discussion: """
            list; add NAME ADDR[,ADDR…] [tls-name=NAME] (ADDR is IP or IP@PORT; with tls-name, DNS \
            over TLS on port 853 unless given); remove NAME. What was cached at and below NAME is \
            dropped. The configuration file is not changed: a reload or restart returns to its zones.
            """)
    @OptionGroup var options: SocketOptions
    @Argument(help: "list, add or remove.") var action: String
    @Argument(help: "The zone, for add and remove.") var zone: String?
    @Argument(help: "The servers, for add: ADDR[,ADDR…].") var servers: String?
    @Argument(help: "tls-name=NAME, for add over DNS over TLS.") var tlsName: String?
    func run() throws { try options.send("forward", action, zone ?? "", servers ?? "", tlsName ?? "") }
}

/// `mamorictl config show`.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "show: the configuration in force, defaults included, as YAML mamorid --config reads.")
    @OptionGroup var options: SocketOptions
    @Argument(help: "show.") var what: String
    func run() throws { try options.send("config", what) }
}
