// Primary responsibilities: decide which name each query of an iteration shows the server
// (RFC 9156): one more label than the zone cut, then more, until the whole name is sent with
// the real type.

import DNSWire

/// The QNAME minimisation state of one iteration (RFC 9156 §3).
struct Minimisation {
    /// The mode; set to `.off` once minimisation is abandoned for this iteration.
    private(set) var mode: QNAMEMinimisation
    /// The question the client asked.
    let question: Question
    /// Labels of the question name revealed so far.
    private var revealed: Int
    /// Minimised queries sent so far (``ResolutionLimits/maxMinimisationSteps``).
    private var steps = 0
    /// The limits in force.
    private let limits: ResolutionLimits

    /// Starts at a zone cut.
    init(mode: QNAMEMinimisation, question: Question, zone: DomainName, limits: ResolutionLimits) {
        self.mode = mode
        self.question = question
        self.limits = limits
        self.revealed = zone.labelCount + 1
    }

    /// The question to send next: the name cut to the revealed labels with type A (RFC 9156 §3
    /// recommends A, which every server answers sensibly), or the real question.
    mutating func nextQuestion() -> Question {
        let total = question.name.labelCount
        guard mode != .off, revealed < total, steps < limits.maxMinimisationSteps else {
            return question
        }
        steps += 1
        return Question(name: question.name.suffix(labelCount: revealed), type: .a, rrClass: question.rrClass)
    }

    /// A referral to `zone`: continue one label below it.
    mutating func descend(to zone: DomainName) {
        revealed = max(revealed, zone.labelCount + 1)
    }

    /// The minimised name exists (or is an empty non-terminal) but is no zone cut: show more.
    /// The first ``ResolutionLimits/minimiseOneLabelCount`` labels go one at a time; after that
    /// the remaining labels are spread over the remaining steps (RFC 9156 §2.3).
    mutating func revealMore() {
        let total = question.name.labelCount
        if revealed < limits.minimiseOneLabelCount {
            revealed += 1
            return
        }
        let stepsLeft = max(limits.maxMinimisationSteps - steps, 1)
        revealed += max(1, (total - revealed) / stepsLeft)
    }

    /// Stops minimising: the rest of this iteration sends the full question.
    mutating func giveUp() { mode = .off }
}
