/// One resource record (RFC 1035 §3.2.1).
public struct Record: Hashable, Sendable {
    /// The owner name.
    public var name: DomainName
    /// The class.
    public var rrClass: RRClass
    /// Time to live in seconds.
    public var ttl: UInt32
    /// The record data; its ``RData/type`` is the record's type.
    public var rdata: RData

    /// Creates a record.
    public init(name: DomainName, rrClass: RRClass = .in, ttl: UInt32, rdata: RData) {
        self.name = name
        self.rrClass = rrClass
        self.ttl = ttl
        self.rdata = rdata
    }

    /// The record type.
    public var type: RRType { rdata.type }
}

/// A question: what is asked (RFC 1035 §4.1.2).
public struct Question: Hashable, Sendable, CustomStringConvertible {
    /// The QNAME.
    public var name: DomainName
    /// The QTYPE.
    public var type: RRType
    /// The QCLASS.
    public var rrClass: RRClass

    /// Creates a question.
    public init(name: DomainName, type: RRType, rrClass: RRClass = .in) {
        self.name = name
        self.type = type
        self.rrClass = rrClass
    }

    /// `name class type`, as dig prints the question.
    public var description: String { "\(name) \(rrClass) \(type)" }
}
