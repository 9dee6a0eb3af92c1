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
        subcommands: [
            Status.self, Stats.self, Reload.self, Flush.self, NTA.self, Anchors.self, Lookup.self,
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
        for line in reply.lines { print(line) }
    }
}

/// Writes `text` to standard error, unbuffered.
private func writeError(_ text: String) {
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

/// `mamorictl stats`.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cache and packet cache counters and sizes, one `name value` per line.")
    @OptionGroup var options: SocketOptions
    func run() throws { try options.send("stats") }
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
            "all: everything; name NAME: that name's entries; zone NAME: everything at and below NAME, keys and DS included; infra: what is known about upstream servers."
    )
    @OptionGroup var options: SocketOptions
    @Argument(help: "all, name, zone or infra.") var what: String
    @Argument(help: "The name, for name and zone.") var name: String?
    func run() throws { try options.send("flush", what, name ?? "") }
}

/// `mamorictl nta …`.
struct NTA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nta",
        abstract: "Negative trust anchors (RFC 7646): validation off at and below a name.",
        discussion:
            "list; add NAME [SECONDS] (at most a week; without SECONDS until removed or restart); remove NAME. Cached data at and below NAME is dropped on add and remove."
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
