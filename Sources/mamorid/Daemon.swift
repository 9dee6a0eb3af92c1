// Primary responsibilities: the process around ResolverDaemon (MamoriService, which owns start,
// reload and stop) — logging in `logging.format` (the journal, logfmt or JSON; MamoriSystem's
// handler), the signals (SIGHUP reloads; SIGTERM and SIGINT stop within `server.shutdown-timeout`
// and exit 0), and handing the main thread to Dispatch.

import Dispatch
import Logging
import MamoriConfiguration
import MamoriService
import MamoriSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The running process.
enum Daemon {
    /// The signal sources, kept alive for the life of the process.
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// Sets up logging and signals, starts serving and never returns; exits 1 when the daemon
    /// cannot start (ResolverDaemon has logged why).
    static func run(source: ConfigurationSource, configuration: Configuration) -> Never {
        let setting = LogSetting(level: level(configuration.logging), format: format(configuration.logging))
        LoggingSystem.bootstrap { _ in MamoriLogHandler(setting: setting) }
        let daemon = ResolverDaemon(source: source, configuration: configuration, logger: Logger(label: "mamorid")) {
            setting.level = level($0)
            setting.format = format($0)
        }
        // Signals first: a SIGTERM that arrives while the engine is built or sockets are bound
        // (systemd stopping a unit that is still starting) waits for the start, then stops the
        // daemon; it is not lost. The handlers run on their own queue, never on the main thread.
        let queue = DispatchQueue(label: "mamori.signals")
        for number in [SIGHUP, SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard number != SIGHUP else { return _ = daemon.reload() }
                daemon.stop(signal: number)
                exit(0)
            }
            source.resume()
            signalSources.append(source)
        }
        signal(SIGPIPE, SIG_IGN)
        do {
            try daemon.start()
        } catch {
            exit(1)
        }
        parkMainThread()
    }

    /// The main thread has nothing to do (no work uses the main queue): it blocks every signal, so
    /// that SIGHUP, SIGTERM and SIGINT reach the signal sources above and not this thread, and
    /// sleeps for good. Not `dispatchMain()`, which ends the main thread through libdispatch's
    /// signal thread: valgrind 3.19 (Debian 12) crashes there, and the benchmark counts
    /// instructions under it (Benchmarks/e2e/run --instructions).
    private static func parkMainThread() -> Never {
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        while true { sleep(UInt32.max) }
    }

    /// The swift-log level of `logging.level`.
    private static func level(_ logging: LoggingSection) -> Logger.Level {
        Logger.Level(rawValue: logging.level.rawValue) ?? .info
    }

    /// What `logging.format` means in this process (`auto` decided by JOURNAL_STREAM).
    private static func format(_ logging: LoggingSection) -> LogOutputFormat {
        LogOutputFormat(word: logging.format.rawValue) ?? .automatic()
    }
}
