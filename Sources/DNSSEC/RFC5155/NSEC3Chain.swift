// Primary responsibilities: the usable NSEC3 records of one response for one zone (RFC 5155 §8.1, §8.2), the
// iteration policy (RFC 9276 §3.2), and hashing names against them under the query's hash budget.

internal import DNSCrypto
internal import DNSWire

/// The NSEC3 records a proof may use, with hashing of candidate names (RFC 5155 §8).
struct NSEC3Chain {
    /// One usable NSEC3 record.
    struct Record {
        /// The owner name.
        let owner: DomainName
        /// The owner's hash, decoded from its first label (RFC 5155 §3.3).
        let ownerHash: [UInt8]
        /// The record data.
        let nsec3: NSEC3

        /// Whether `hash` is this record's owner hash.
        func matches(_ hash: [UInt8]) -> Bool { ownerHash == hash }

        /// Whether `hash` sorts strictly between the owner hash and the next hashed owner, wrapping for the
        /// last record of the chain (RFC 5155 §3.1.7, §8.3 "covers").
        func covers(_ hash: [UInt8]) -> Bool {
            let next = nsec3.nextHashedOwnerName
            let afterOwner = ownerHash.lexicographicallyPrecedes(hash)
            if ownerHash.lexicographicallyPrecedes(next) { return afterOwner && hash.lexicographicallyPrecedes(next) }
            return afterOwner || hash.lexicographicallyPrecedes(next)
        }
    }

    /// What the NSEC3 records of a response amount to: a chain to prove with, or why there is none.
    enum Collected {
        /// A chain a proof can use.
        case usable(NSEC3Chain)
        /// Nothing to prove with: no usable records.
        case empty
        /// Only records with unknown hash algorithms: the response is insecure (RFC 5155 §8.1).
        case unknownHashAlgorithm
        /// Records with more iterations than the limit: insecure with EDE 27 (RFC 9276 §3.2).
        case tooManyIterations(UInt16)
    }

    /// A name's hash, or why it could not be had; the proof is then bogus.
    enum Hashed {
        /// The hash.
        case hash([UInt8])
        /// The query's hash budget is spent (EDE 0) or libcrypto failed.
        case failed(ValidationReason)
    }

    /// The zone the records belong to.
    let zone: DomainName
    /// The usable records.
    let records: [Record]
    /// The salt every usable record shares.
    let salt: [UInt8]
    /// The iterations every usable record shares.
    let iterations: UInt16
    /// Hashes computed so far, to hash each name once per proof.
    private var memo: [DomainName: [UInt8]] = [:]

    /// Collects the usable NSEC3 records of `zone` from `rrsets`.
    ///
    /// Ignored: records whose owner is not one hashed label directly below the zone (RFC 5155 §3, §8.2), with
    /// a hash algorithm other than 1 (RFC 5155 §8.1), with flags other than Opt-Out (RFC 5155 §8.2), or with a
    /// salt or iteration count different from the first usable record (one chain answers a query, RFC 5155
    /// §7.2). At most ``ValidationLimits/maxDenialRecords`` records are examined.
    ///
    /// - Returns: the chain, or why it cannot be used.
    static func make(_ rrsets: [RRSet], zone: DomainName, limits: ValidationLimits) -> Collected {
        var records: [Record] = []
        var examined = 0
        var sawUnknownAlgorithm = false
        var parameters: (salt: [UInt8], iterations: UInt16)? = nil
        outer: for rrset in rrsets where rrset.type == .nsec3 {
            guard rrset.name.parent == zone, let label = rrset.name.labels.first,
                let hash = BaseEncoding.decodeBase32Hex(Array(label)), hash.count == NSEC3Hash.hashLength
            else { continue }
            for rdata in rrset.rdatas {
                guard examined < limits.maxDenialRecords else { break outer }
                examined += 1
                guard case .nsec3(let nsec3) = rdata else { continue }
                guard nsec3.hashAlgorithm == 1 else {
                    sawUnknownAlgorithm = true
                    continue
                }
                guard nsec3.flags & ~NSEC3.optOutFlag == 0,
                    nsec3.nextHashedOwnerName.count == NSEC3Hash.hashLength
                else { continue }
                if let parameters, parameters.salt != nsec3.salt || parameters.iterations != nsec3.iterations {
                    continue
                }
                parameters = (nsec3.salt, nsec3.iterations)
                records.append(Record(owner: rrset.name, ownerHash: hash, nsec3: nsec3))
            }
        }
        guard let parameters else { return sawUnknownAlgorithm ? .unknownHashAlgorithm : .empty }
        guard parameters.iterations <= limits.maxNSEC3Iterations else {
            return .tooManyIterations(parameters.iterations)
        }
        return .usable(
            NSEC3Chain(zone: zone, records: records, salt: parameters.salt, iterations: parameters.iterations))
    }

    /// Creates a chain from checked parts.
    private init(zone: DomainName, records: [Record], salt: [UInt8], iterations: UInt16) {
        self.zone = zone
        self.records = records
        self.salt = salt
        self.iterations = iterations
    }

    /// The NSEC3 hash of `name` with the chain's parameters (RFC 5155 §5), charged to `budget` unless already
    /// computed for this proof.
    ///
    /// - Returns: the hash, or the reason the budget refused (EDE 0) or libcrypto failed.
    mutating func hash(_ name: DomainName, budget: inout ValidationBudget) -> Hashed {
        if let known = memo[name] { return .hash(known) }
        if let exhausted = budget.chargeNSEC3Hash() { return .failed(exhausted) }
        guard
            let hash = try? NSEC3Hash.hash(
                ownerName: name.lowercased.wireBytes, salt: salt, iterations: iterations)
        else {
            return .failed(ValidationReason(bogus: .dnssecBogus, site: "N3HF", "NSEC3 hash of \(name) failed"))
        }
        memo[name] = hash
        return .hash(hash)
    }

    /// The record whose owner hash is `hash`.
    func matching(_ hash: [UInt8]) -> Record? { records.first { $0.matches(hash) } }

    /// A record covering `hash`.
    func covering(_ hash: [UInt8]) -> Record? { records.first { $0.covers(hash) } }
}
