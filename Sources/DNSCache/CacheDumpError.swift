// Primary responsibilities: DNSCache's one error shape — why a cache dump could not be read back,
// without ever trapping on a damaged file.

public import DNSWire

/// Why a dump could not be loaded. A load that throws has changed nothing. (The file itself is
/// the service's: MamoriService's AtomicFile reads and writes it.) The reason is for the operator
/// (the version read, the entry that failed, …); errors compare by code (``CodedError``).
public typealias CacheDumpError = SimpleError<CacheDumpErrorCode>

/// What went wrong loading a dump: `notADump`, the file does not start with the dump magic;
/// `unsupportedVersion`, a format version this build does not read; `corrupt`, the file ends
/// early or its checksum or structure is wrong.
public enum CacheDumpErrorCode: Hashable, Sendable { case notADump, unsupportedVersion, corrupt }
