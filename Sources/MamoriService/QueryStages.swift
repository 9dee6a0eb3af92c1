// Primary responsibilities: the service's seams around the engine (ARCHITECTURE.md, "Seams") — a
// stage before the cache and resolution where an answer is decided locally, a point after a judged
// answer where a response policy acts, and after it a synthesis that needs a second answer (DNS64) —
// and the one value that holds what is installed.

import DNSWire
import Resolver
import ResolverServer

/// A stage before the cache and resolution: local data, locally served zones (RFC 6303, RFC 8375,
/// RFC 6761), blocklists and resolver discovery (RFC 9462) decide here.
///
/// Asked for every client query the packet cache did not answer, in order, on the listener's
/// queue: like the fast path, it must not block or wait for the network. Its answers go to the
/// client as they are (the server finishes them: ID, flags, EDNS, size) and may be replayed by the
/// packet cache, so whoever changes what a stage answers installs a new one with
/// ``ResolverService/install(_:)``, which advances the answer generation.
package protocol LocalAnswerStage: Sendable {
    /// The answer to `question` decided here, or nil to leave it to the next stage and the cache.
    /// - Parameters:
    ///   - question: the client's question.
    ///   - client: who asked, and over which transport.
    ///   - checkingDisabled: the query's CD bit.
    func answer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution?
}

/// A point after a judged answer: response policy on what the cache or a resolution produced
/// (rebinding protection, response-policy triggers on answer data; DNS64, which needs a second
/// answer, is an ``AnswerSynthesis``).
///
/// Every answer passes it — from the cache, from a resolution, served stale, or after the client
/// waited — after validation has judged it and before the server finishes it. It sees the verdict
/// (``Resolution/status``) and must keep the rules of RFC 4035 §3.2.3 for whatever it changes: an
/// answer it rewrites is not the validated data, so it carries no AD (status ``SecurityStatus/unchecked``
/// or ``SecurityStatus/insecure``). The cache keeps the data as resolved: a policy is a view on it.
package protocol AnswerPolicy: Sendable {
    /// `answer` as this policy lets it reach `client`.
    func review(_ answer: Resolution, to question: Question, client: ClientAddress) -> Resolution
}

/// A point after the answer policies where an answer may be replaced by one made from the answer
/// to another question (DNS64, RFC 6147 §5.1: AAAA records made from the A records of the name).
///
/// The seam is split so the rule stays pure and synchronous: ``sourceQuestion(for:to:dnssecOK:checkingDisabled:)``
/// names the question it needs, the service answers it — from the cache on the fast path, by a
/// resolution otherwise (``ResolverService``) — and passes that answer through the answer
/// policies, so a policy judges the data a synthesis is made from (rebinding protection sees the A
/// records, not addresses under the NAT64 prefix); then ``synthesise(_:from:to:)`` makes the answer.
/// What it makes is not the validated data: it carries no AD (RFC 4035 §3.2.3, RFC 6147 §5.5).
package protocol AnswerSynthesis: Sendable {
    /// The question whose answer a synthesis of `answer` needs, or nil when `answer` stands.
    /// - Parameters:
    ///   - dnssecOK: the query's DO bit.
    ///   - checkingDisabled: the query's CD bit.
    func sourceQuestion(
        for answer: Resolution, to question: Question, dnssecOK: Bool, checkingDisabled: Bool
    )
        -> Question?
    /// The answer made from `answer` and `source`, the reviewed answer to the source question;
    /// `answer` itself when nothing can be made.
    func synthesise(_ answer: Resolution, from source: Resolution, to question: Question) -> Resolution
}

/// What is installed at the two seams, in order; replaced whole (``ResolverService/install(_:)``).
package struct QueryStages: Sendable {
    /// Asked before the cache, first answer wins.
    package var localAnswers: [any LocalAnswerStage]
    /// Applied to every judged answer, in order.
    package var answerPolicies: [any AnswerPolicy]
    /// Asked after the policies; the first that names a source question makes the answer.
    package var syntheses: [any AnswerSynthesis]

    /// Creates the stages.
    package init(
        localAnswers: [any LocalAnswerStage] = [], answerPolicies: [any AnswerPolicy] = [],
        syntheses: [any AnswerSynthesis] = []
    ) {
        self.localAnswers = localAnswers
        self.answerPolicies = answerPolicies
        self.syntheses = syntheses
    }

    /// Whether nothing is installed.
    var isEmpty: Bool { localAnswers.isEmpty && answerPolicies.isEmpty && syntheses.isEmpty }

    /// The synthesis that applies to `answer`, with the question it needs.
    func synthesis(
        for answer: Resolution, to question: Question, dnssecOK: Bool, checkingDisabled: Bool
    ) -> (any AnswerSynthesis, Question)? {
        for synthesis in syntheses {
            if let source = synthesis.sourceQuestion(
                for: answer, to: question, dnssecOK: dnssecOK, checkingDisabled: checkingDisabled)
            {
                return (synthesis, source)
            }
        }
        return nil
    }

    /// The first local answer to `question`, if any stage has one.
    func localAnswer(_ question: Question, client: ClientAddress, checkingDisabled: Bool) -> Resolution? {
        for stage in localAnswers {
            if let answer = stage.answer(question, client: client, checkingDisabled: checkingDisabled) {
                return answer
            }
        }
        return nil
    }

    /// `answer` after every policy.
    func reviewed(_ answer: Resolution, to question: Question, client: ClientAddress) -> Resolution {
        answerPolicies.reduce(answer) { $1.review($0, to: question, client: client) }
    }
}
