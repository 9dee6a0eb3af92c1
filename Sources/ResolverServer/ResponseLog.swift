// Primary responsibilities: the failure log (one structured line per SERVFAIL and per bogus answer
// sent, rate-limited per question and overall) and the query log (one line per response), both a
// ResponseObserver; the lines' fields become journal fields under `logging.format: journal`.

import DNSWire
import Logging
import Synchronization

/// The failure and query log settings (`logging.failures`, `failure-interval`, `failure-rate`,
/// `queries`); replaced at reload.
package struct ResponseLogSettings: Hashable, Sendable {
    /// Log failures.
    package var failures: Bool
    /// Most lines for one question per interval.
    package var failureInterval: Duration
    /// Most failure lines per second, all questions together.
    package var failureRate: Int
    /// Log every response.
    package var queries: Bool

    /// Creates settings; the defaults are the configuration's (`LoggingSection`).
    package init(
        failures: Bool = true, failureInterval: Duration = .seconds(60), failureRate: Int = 10, queries: Bool = false
    ) {
        self.failures = failures
        self.failureInterval = failureInterval
        self.failureRate = failureRate
        self.queries = queries
    }
}

/// Decides which failure lines are written, so a flood of one failing name (or of many) cannot
/// fill the journal: at most one line per question per ``interval`` and at most ``perSecond``
/// lines in any one-second window; what it holds back is counted and reported in a summary line
/// at most every ``summaryPeriod`` (and at ``flush(now:)``, at stop).
package struct FailureLogLimiter: Sendable {
    /// A question: lower-cased name, type and class.
    package struct Question: Hashable, Sendable {
        /// The name, lower-cased.
        package var name: String
        /// The QTYPE.
        package var type: UInt16
        /// The QCLASS.
        package var rrClass: UInt16

        /// Creates a key.
        package init(name: String, type: UInt16, rrClass: UInt16) {
            self.name = name.lowercased()
            self.type = type
            self.rrClass = rrClass
        }
    }

    /// What to write for one failure.
    package struct Decision: Equatable, Sendable {
        /// Write the failure's own line.
        package var write: Bool
        /// Write a summary line first: this many lines were held back since the last one.
        package var suppressed: Int

        /// Creates a decision.
        package init(write: Bool, suppressed: Int) {
            self.write = write
            self.suppressed = suppressed
        }
    }

    /// The most questions remembered at once: a flood of random names cannot grow the table past
    /// it (a question not remembered is limited by ``perSecond`` alone).
    package static let maxQuestions = 10_000
    /// How often a summary of held-back lines may be written while failures go on, in milliseconds.
    package static let summaryPeriod: Int64 = 10_000

    /// Most lines per question per this many milliseconds.
    package var interval: Int64
    /// Most lines per second.
    package var perSecond: Int
    /// When each question's last line was written (milliseconds).
    private var lastWritten: [Question: Int64] = [:]
    /// The current one-second window's start and lines written in it.
    private var window: (start: Int64, lines: Int)
    /// Lines held back since the last summary.
    private var held = 0
    /// When the last summary was written.
    private var lastSummary: Int64

    /// Creates a limiter.
    /// - Parameters:
    ///   - interval: most one line per question per this many milliseconds.
    ///   - perSecond: most lines in one second.
    ///   - now: the current time in milliseconds (any monotonic origin).
    package init(interval: Int64, perSecond: Int, now: Int64) {
        self.interval = interval
        self.perSecond = perSecond
        self.lastSummary = now
        self.window = (now - 1000, 0)
    }

    /// Decides one failure of `question` at `now` (milliseconds).
    package mutating func decide(_ question: Question, now: Int64) -> Decision {
        var write = true
        if let last = lastWritten[question], now - last < interval { write = false }
        if now - window.start >= 1000 { window = (now, 0) }
        if write && window.lines >= perSecond { write = false }
        var summary = 0
        if write {
            window.lines += 1
            remember(question, now: now)
            if held > 0 {
                summary = held
                held = 0
                lastSummary = now
            }
        } else {
            held += 1
            if now - lastSummary >= Self.summaryPeriod {
                summary = held
                held = 0
                lastSummary = now
            }
        }
        return Decision(write: write, suppressed: summary)
    }

    /// Lines held back and not yet summarised; the count starts again.
    package mutating func flush(now: Int64) -> Int {
        defer {
            held = 0
            lastSummary = now
        }
        return held
    }

    /// Records a written line; when the table is full, forgets the questions whose interval has
    /// passed, and if none has, does not remember this one.
    private mutating func remember(_ question: Question, now: Int64) {
        if lastWritten.count >= Self.maxQuestions && lastWritten[question] == nil {
            lastWritten = lastWritten.filter { now - $0.value < interval }
            guard lastWritten.count < Self.maxQuestions else { return }
        }
        lastWritten[question] = now
    }
}

/// The failure log and the query log, as one observer of sent responses.
package final class ResponseLog: ResponseObserver {
    /// Where lines go (`logging.format` decides their shape).
    private let logger: Logger
    /// The settings in force.
    private let settings: Mutex<ResponseLogSettings>
    /// `settings.queries`, read for every response without a lock.
    private let queries: Atomic<Bool>
    /// The failure lines' limiter.
    private let limiter: Mutex<FailureLogLimiter>
    /// The limiter's clock.
    private let clock = ContinuousClock()
    /// The limiter's time origin.
    private let origin: ContinuousClock.Instant

    /// Creates the logs with `settings`.
    package init(logger: Logger, settings: ResponseLogSettings = ResponseLogSettings()) {
        self.logger = logger
        self.settings = Mutex(settings)
        self.queries = Atomic(settings.queries)
        self.origin = clock.now
        self.limiter = Mutex(
            FailureLogLimiter(
                interval: Self.milliseconds(settings.failureInterval), perSecond: settings.failureRate, now: 0))
    }

    /// Replaces the settings (at reload); what the limiter remembers is kept.
    package func apply(_ new: ResponseLogSettings) {
        settings.withLock { $0 = new }
        queries.store(new.queries, ordering: .relaxed)
        limiter.withLock {
            $0.interval = Self.milliseconds(new.failureInterval)
            $0.perSecond = new.failureRate
        }
    }

    /// True while the query log is on.
    package var observesEveryResponse: Bool { queries.load(ordering: .relaxed) }

    /// Writes the query line and, for a failure, the failure line (when allowed).
    package func observe(_ sent: SentResponse) {
        guard let response = try? Message(parsing: sent.response) else { return }
        let settings = self.settings.withLock { $0 }
        let errors = response.edns?.extendedErrors ?? []
        if settings.queries {
            logger.info("\(Self.summary(response))", metadata: Self.queryFields(sent, response, errors))
        }
        guard settings.failures, let failure = Self.failure(response, errors) else { return }
        let question = response.question
        let key = FailureLogLimiter.Question(
            name: question.map { "\($0.name)" } ?? "", type: question?.type.rawValue ?? 0,
            rrClass: question?.rrClass.rawValue ?? 0)
        let now = Self.milliseconds(clock.now - origin)
        let decision = limiter.withLock { $0.decide(key, now: now) }
        if decision.suppressed > 0 { logSuppressed(decision.suppressed) }
        guard decision.write else { return }
        var fields = Self.questionFields(sent, response)
        fields["failure"] = "\(failure.field)"
        if let error = errors.first(where: { Self.bogusCodes.contains($0.code.rawValue) }) ?? errors.first {
            fields["ede-code"] = "\(error.code.rawValue)"
            fields["ede-text"] = "\(error.extraText)"
            if let site = Self.site(error.extraText) { fields["site"] = "\(site)" }
        }
        let text = fields["ede-text"].map { ": \($0)" } ?? ""
        logger.info("\(failure.message) \(Self.questionText(response))\(text)", metadata: fields)
    }

    /// Writes the summary of lines held back, if any (at stop).
    package func flush() {
        let held = limiter.withLock { $0.flush(now: Self.milliseconds(clock.now - origin)) }
        if held > 0 { logSuppressed(held) }
    }

    /// The summary line.
    private func logSuppressed(_ count: Int) {
        logger.info(
            "failure log: suppressed \(count) lines (logging.failure-interval, logging.failure-rate)",
            metadata: ["suppressed": "\(count)"])
    }

    // MARK: - Fields

    /// EDE codes of DNSSEC validation failures (RFC 8914 §4.7–§4.13: DNSSEC Bogus through NSEC Missing).
    static let bogusCodes: ClosedRange<UInt16> = 6...12

    /// What kind of failure a response is, as the line's message starts and its `failure` field:
    /// a SERVFAIL for bogus data (`bogus`: an EDE of a DNSSEC failure), another SERVFAIL
    /// (`servfail`), bogus data given to a CD=1 client (`bogus-cd`, RFC 4035 §3.2.2), or nil.
    static func failure(_ response: Message, _ errors: [ExtendedDNSError]) -> (message: String, field: String)? {
        let bogus = errors.contains { bogusCodes.contains($0.code.rawValue) }
        if response.rcode == .servFail { return bogus ? ("SERVFAIL (bogus)", "bogus") : ("SERVFAIL", "servfail") }
        if response.header.checkingDisabled, bogus { return ("bogus data (CD=1)", "bogus-cd") }
        return nil
    }

    /// The site tag at the end of an EXTRA-TEXT: `… [ZUNR]` gives `ZUNR` (ARCHITECTURE.md, "Errors,
    /// reasons and failures": four capitals).
    static func site(_ text: String) -> Substring? {
        let bytes = Array(text.utf8.suffix(6))
        guard bytes.count == 6, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"),
            bytes[1..<5].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { return nil }
        return text.suffix(5).dropLast()
    }

    /// `example.com. A IN`.
    static func questionText(_ response: Message) -> String {
        guard let question = response.question else { return "(no question)" }
        return "\(question.name) \(question.type) \(question.rrClass)"
    }

    /// The query line's message: `example.com. A IN NOERROR`.
    static func summary(_ response: Message) -> String { "\(questionText(response)) \(response.rcode)" }

    /// The fields both lines carry: the question and the client.
    static func questionFields(_ sent: SentResponse, _ response: Message) -> Logger.Metadata {
        var fields: Logger.Metadata = [
            "client": "\(sent.client.address)", "client-port": "\(sent.client.port)",
            "transport": "\(sent.client.transport.rawValue)",
        ]
        if let question = response.question {
            fields["qname"] = "\(question.name)"
            fields["qtype"] = "\(question.type)"
            fields["qclass"] = "\(question.rrClass)"
        }
        return fields
    }

    /// The query line's fields: the question, the client, RCODE, flags, EDE, source and latency.
    static func queryFields(_ sent: SentResponse, _ response: Message, _ errors: [ExtendedDNSError]) -> Logger.Metadata
    {
        var fields = questionFields(sent, response)
        fields["rcode"] = "\(response.rcode)"
        fields["flags"] = "\(flags(response.header))"
        if let error = errors.first { fields["ede-code"] = "\(error.code.rawValue)" }
        // RFC 8914 §4.4: EDE 3 marks data served after its TTL (RFC 8767).
        let stale = errors.contains { $0.code == .staleAnswer }
        fields["source"] = "\(stale ? "stale" : sent.source.word)"
        if let latency = sent.latency {
            fields["latency-us"] =
                "\(latency.components.seconds * 1_000_000 + latency.components.attoseconds / 1_000_000_000_000)"
        }
        return fields
    }

    /// The header flags that are set, dig's way: `aa tc rd ra ad cd`.
    static func flags(_ header: Header) -> String {
        let named: [(Bool, String)] = [
            (header.authoritativeAnswer, "aa"), (header.truncated, "tc"), (header.recursionDesired, "rd"),
            (header.recursionAvailable, "ra"), (header.authenticData, "ad"), (header.checkingDisabled, "cd"),
        ]
        return named.filter(\.0).map(\.1).joined(separator: " ")
    }

    /// A duration in whole milliseconds.
    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
