// Primary responsibilities: which DNSSEC algorithms and DS digest types this validator treats as supported,
// taken from DNSCrypto's start-up probe and overridable for tests and for operators who disable algorithms.

internal import DNSCrypto
public import DNSWire

/// The algorithms and digest types the validator may rely on (RFC 8624 §3.1, §3.3).
///
/// Anything outside these sets is *unsupported*: a zone whose DS RRset lists only unsupported algorithms or
/// digests is insecure, never bogus (RFC 4035 §5.2, RFC 6840 §5.2), and RRSIGs by unsupported algorithms are
/// ignored (RFC 6840 §5.12 in spirit: signatures the validator cannot use do not make data bogus).
public struct AlgorithmSupport: Hashable, Sendable {
    /// Supported DNSSEC algorithm numbers (RFC 4034 Appendix A.1).
    public var algorithms: Set<UInt8>
    /// Supported DS digest type numbers (RFC 4034 Appendix A.2).
    public var digestTypes: Set<UInt8>

    /// Creates a support set from explicit numbers.
    public init(algorithms: Set<UInt8>, digestTypes: Set<UInt8>) {
        self.algorithms = algorithms
        self.digestTypes = digestTypes
    }

    /// What this process's libcrypto allows, as DNSCrypto's probe found at first use.
    public static var system: AlgorithmSupport {
        let probe = CryptoSupport.current
        return AlgorithmSupport(algorithms: probe.supportedAlgorithms, digestTypes: probe.supportedDigestTypes)
    }

    /// Whether signatures of `algorithm` can be verified.
    public func supports(_ algorithm: DNSSECAlgorithm) -> Bool { algorithms.contains(algorithm.rawValue) }

    /// Whether DS digests of `digestType` can be computed.
    public func supports(_ digestType: DigestType) -> Bool { digestTypes.contains(digestType.rawValue) }
}
