// Primary responsibilities: a validated domain name in uncompressed wire form, compared without
// regard to ASCII case but keeping the case it arrived with (for 0x20 echo and RRSIG input), and
// the two orders a resolver needs: case-folded equality and RFC 4034 §6.1 canonical order.

/// A domain name held as its uncompressed wire form, root label included.
///
/// Invariants, checked by every initialiser: labels of 1…63 octets, a terminating root label,
/// at most 255 octets in all (RFC 1035 §2.3.4). Equality and hashing fold ASCII `A`–`Z` only
/// (RFC 4343 §3); the original case is preserved in ``wireBytes``. `Comparable` is deliberately not
/// adopted: the canonical DNSSEC order is ``canonicalCompare(_:)`` (RFC 4034 §6.1), named so that
/// it cannot be used by accident.
public struct DomainName: Hashable, Sendable, CustomStringConvertible {
    /// Most octets a name may take in wire form (RFC 1035 §2.3.4).
    public static let maxWireLength = 255
    /// Most octets one label may take (RFC 1035 §2.3.4).
    public static let maxLabelLength = 63

    /// The uncompressed wire form, original case, ending in the root label (a zero octet).
    public let wireBytes: [UInt8]

    /// The root name `.`.
    public static let root = DomainName(trustedWireBytes: [0])

    /// Wraps bytes already known to satisfy the invariants.
    init(trustedWireBytes: [UInt8]) { self.wireBytes = trustedWireBytes }

    /// Validates uncompressed wire bytes that hold exactly one name.
    /// - Throws: ``DNSWireError`` when labels or length are out of bounds or bytes remain.
    public init(wireBytes: [UInt8]) throws(DNSWireError) {
        var offset = 0
        while true {
            guard offset < wireBytes.count else {
                throw DNSWireError(.truncated, "name has no root label", offset: offset)
            }
            let length = Int(wireBytes[offset])
            guard length & 0xC0 == 0 else {
                throw DNSWireError(.badLabelType, "label type \(length >> 6) in uncompressed name", offset: offset)
            }
            offset += 1 + length
            guard offset <= Self.maxWireLength else {
                throw DNSWireError(.nameTooLong, "name longer than 255 octets", offset: offset)
            }
            if length == 0 { break }
        }
        guard offset == wireBytes.count else {
            throw DNSWireError(.badText, "bytes after the root label", offset: offset)
        }
        self.wireBytes = wireBytes
    }

    /// Builds a name from its labels, most specific first, root omitted.
    /// - Throws: ``DNSWireError`` when a label is empty or over 63 octets, or the name over 255.
    public init(labels: [[UInt8]]) throws(DNSWireError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(labels.reduce(1) { $0 + $1.count + 1 })
        for label in labels {
            guard !label.isEmpty else { throw DNSWireError(.badText, "empty label") }
            guard label.count <= Self.maxLabelLength else {
                throw DNSWireError(.labelTooLong, "label longer than 63 octets")
            }
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label)
        }
        bytes.append(0)
        guard bytes.count <= Self.maxWireLength else { throw DNSWireError(.nameTooLong, "name longer than 255 octets") }
        self.wireBytes = bytes
    }

    // MARK: - Structure

    /// Whether this is the root name.
    public var isRoot: Bool { wireBytes.count == 1 }

    /// The number of labels, root excluded: `www.example.` has 2.
    public var labelCount: Int {
        var count = 0
        var offset = 0
        while wireBytes[offset] != 0 {
            count += 1
            offset += Int(wireBytes[offset]) + 1
        }
        return count
    }

    /// Whether the leftmost label is `*` (RFC 4592 §2.1.1).
    public var isWildcard: Bool { wireBytes.count >= 3 && wireBytes[0] == 1 && wireBytes[1] == 0x2A }

    /// The label count as the RRSIG Labels field counts it: root and a leading `*` excluded (RFC 4034 §3.1.3).
    public var rrsigLabelCount: Int { isWildcard ? labelCount - 1 : labelCount }

    /// The labels, most specific first, root excluded.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var offset = 0
        while wireBytes[offset] != 0 {
            let length = Int(wireBytes[offset])
            result.append(wireBytes[(offset + 1)..<(offset + 1 + length)])
            offset += length + 1
        }
        return result
    }

    /// The name with its leftmost label removed; `nil` for the root.
    public var parent: DomainName? {
        guard !isRoot else { return nil }
        return DomainName(trustedWireBytes: Array(wireBytes[(Int(wireBytes[0]) + 1)...]))
    }

    /// The ancestor keeping only the rightmost `count` labels (`count` ≤ ``labelCount``).
    public func suffix(labelCount count: Int) -> DomainName {
        var drop = labelCount - count
        precondition(drop >= 0, "suffix longer than the name")
        var offset = 0
        while drop > 0 {
            offset += Int(wireBytes[offset]) + 1
            drop -= 1
        }
        return offset == 0 ? self : DomainName(trustedWireBytes: Array(wireBytes[offset...]))
    }

    /// Prepends one label (for wildcard `*` names and QNAME minimisation).
    /// - Throws: ``DNSWireError`` when the label or the result is too long.
    public func prepending(label: some Collection<UInt8>) throws(DNSWireError) -> DomainName {
        guard !label.isEmpty else { throw DNSWireError(.badText, "empty label") }
        guard label.count <= Self.maxLabelLength else {
            throw DNSWireError(.labelTooLong, "label longer than 63 octets")
        }
        guard wireBytes.count + label.count + 1 <= Self.maxWireLength else {
            throw DNSWireError(.nameTooLong, "name longer than 255 octets")
        }
        var bytes: [UInt8] = [UInt8(label.count)]
        bytes.reserveCapacity(wireBytes.count + label.count + 1)
        bytes.append(contentsOf: label)
        bytes.append(contentsOf: wireBytes)
        return DomainName(trustedWireBytes: bytes)
    }

    /// Whether `self` is `other` or below it (`www.example.` is a subdomain of `example.` and of itself).
    public func isSubdomain(of other: DomainName) -> Bool {
        let extra = wireBytes.count - other.wireBytes.count
        guard extra >= 0 else { return false }
        // The suffix must start on a label boundary, not merely match bytes.
        var offset = 0
        while offset < extra { offset += Int(wireBytes[offset]) + 1 }
        guard offset == extra else { return false }
        return Self.equalFolded(wireBytes[extra...], other.wireBytes[...])
    }

    /// Whether `self` is strictly below `other`.
    public func isStrictSubdomain(of other: DomainName) -> Bool {
        wireBytes.count > other.wireBytes.count && isSubdomain(of: other)
    }

    /// The closest common ancestor of two names (the root at worst).
    public func commonAncestor(with other: DomainName) -> DomainName {
        var candidate = labelCount < other.labelCount ? self : other
        let longer = labelCount < other.labelCount ? other : self
        while !longer.isSubdomain(of: candidate) {
            guard let up = candidate.parent else { return .root }
            candidate = up
        }
        return candidate
    }

    /// The same name with ASCII letters lowercased (RFC 4034 §6.2 canonical form).
    public var lowercased: DomainName {
        guard wireBytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return self }
        return DomainName(trustedWireBytes: wireBytes.map(Self.fold))
    }

    // MARK: - Equality and order

    /// Folds one ASCII uppercase letter to lowercase. Length octets are at most 63, below `A`
    /// (0x41), so folding a whole wire form never alters its structure.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// Compares two byte runs with ASCII case folded.
    @inline(__always)
    static func equalFolded(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var left = lhs.startIndex
        var right = rhs.startIndex
        while left < lhs.endIndex {
            if fold(lhs[left]) != fold(rhs[right]) { return false }
            left += 1
            right += 1
        }
        return true
    }

    /// Names are equal when their labels match with ASCII case folded (RFC 4343 §3).
    public static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        equalFolded(lhs.wireBytes[...], rhs.wireBytes[...])
    }

    /// Hashes the case-folded wire form, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: wireBytes.count) { buffer in
            for index in wireBytes.indices { buffer[index] = Self.fold(wireBytes[index]) }
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
    }

    /// Whether the two names are equal byte for byte, case included.
    public func isIdentical(to other: DomainName) -> Bool { wireBytes == other.wireBytes }

    /// Compares in DNSSEC canonical order (RFC 4034 §6.1): label by label from the root, each
    /// label lowercased and compared as unsigned octets, a label that is a prefix of another first,
    /// and an ancestor before its descendants.
    /// - Returns: negative, zero or positive as `self` sorts before, equal to, or after `other`.
    public func canonicalCompare(_ other: DomainName) -> Int {
        let left = labelStarts
        let right = other.labelStarts
        var leftIndex = left.count - 1
        var rightIndex = right.count - 1
        while leftIndex >= 0 && rightIndex >= 0 {
            let leftStart = left[leftIndex]
            let rightStart = right[rightIndex]
            let leftLength = Int(wireBytes[leftStart])
            let rightLength = Int(other.wireBytes[rightStart])
            let shared = min(leftLength, rightLength)
            var step = 1
            while step <= shared {
                let a = Self.fold(wireBytes[leftStart + step])
                let b = Self.fold(other.wireBytes[rightStart + step])
                if a != b { return a < b ? -1 : 1 }
                step += 1
            }
            if leftLength != rightLength { return leftLength < rightLength ? -1 : 1 }
            leftIndex -= 1
            rightIndex -= 1
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }

    /// Whether `self` sorts before `other` in canonical order (RFC 4034 §6.1).
    public func canonicallyPrecedes(_ other: DomainName) -> Bool { canonicalCompare(other) < 0 }

    /// Offsets of each label's length octet, most specific first, root excluded.
    private var labelStarts: [Int] {
        var starts: [Int] = []
        starts.reserveCapacity(8)
        var offset = 0
        while wireBytes[offset] != 0 {
            starts.append(offset)
            offset += Int(wireBytes[offset]) + 1
        }
        return starts
    }

    // MARK: - Presentation

    /// The presentation form with RFC 1035 §5.1 escapes, always absolute (`www.example.`).
    public var description: String {
        if isRoot { return "." }
        var text = ""
        text.reserveCapacity(wireBytes.count + 4)
        var offset = 0
        while wireBytes[offset] != 0 {
            let length = Int(wireBytes[offset])
            for byte in wireBytes[(offset + 1)...(offset + length)] { Self.appendEscaped(byte, to: &text) }
            text.append(".")
            offset += length + 1
        }
        return text
    }

    /// Appends one label octet in presentation form: specials as `\X`, non-printables as `\DDD`.
    static func appendEscaped(_ byte: UInt8, to text: inout String) {
        switch byte {
        case 0x2E, 0x3B, 0x5C, 0x28, 0x29, 0x22, 0x40, 0x24:  // . ; \ ( ) " @ $
            text.append("\\")
            text.append(Character(Unicode.Scalar(byte)))
        case 0x21...0x7E:
            text.append(Character(Unicode.Scalar(byte)))
        default:
            text.append("\\")
            let digits = String(byte)
            text.append(String(repeating: "0", count: 3 - digits.count))
            text.append(digits)
        }
    }

    /// Parses presentation text (RFC 1035 §5.1 escapes `\X` and `\DDD`). A name without a trailing
    /// dot is taken relative to `origin` (the root when none is given); `@` is the origin itself.
    /// - Throws: ``DNSWireError`` with code `badText`, `labelTooLong` or `nameTooLong`.
    public init(_ text: some StringProtocol, origin: DomainName = .root) throws(DNSWireError) {
        let utf8 = Array(text.utf8)
        if utf8 == [0x40] {
            self = origin
            return
        }
        if utf8 == [0x2E] {
            self = .root
            return
        }
        guard !utf8.isEmpty else { throw DNSWireError(.badText, "empty name") }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var index = 0
        var absolute = false
        while index < utf8.count {
            let byte = utf8[index]
            if byte == 0x5C {
                index += 1
                guard index < utf8.count else { throw DNSWireError(.badText, "name ends in a lone backslash") }
                if (0x30...0x39).contains(utf8[index]) {
                    guard index + 2 < utf8.count, (0x30...0x39).contains(utf8[index + 1]),
                        (0x30...0x39).contains(utf8[index + 2])
                    else { throw DNSWireError(.badText, "\\DDD escape needs three digits") }
                    let value =
                        Int(utf8[index] - 0x30) * 100 + Int(utf8[index + 1] - 0x30) * 10
                        + Int(utf8[index + 2] - 0x30)
                    guard value <= 255 else { throw DNSWireError(.badText, "\\DDD escape over 255") }
                    label.append(UInt8(value))
                    index += 3
                } else {
                    label.append(utf8[index])
                    index += 1
                }
            } else if byte == 0x2E {
                guard !label.isEmpty else { throw DNSWireError(.badText, "empty label in \(text)") }
                labels.append(label)
                label = []
                index += 1
                if index == utf8.count { absolute = true }
            } else {
                label.append(byte)
                index += 1
            }
        }
        if !label.isEmpty { labels.append(label) }
        try self.init(labels: labels)
        if !absolute && !origin.isRoot {
            var bytes = Array(wireBytes.dropLast())
            bytes.append(contentsOf: origin.wireBytes)
            guard bytes.count <= Self.maxWireLength else {
                throw DNSWireError(.nameTooLong, "name longer than 255 octets")
            }
            self.init(trustedWireBytes: bytes)
        }
    }
}

extension DomainName: ExpressibleByStringLiteral {
    /// A name written in source, for tests and built-in tables. Traps on an invalid literal,
    /// which is a programmer error, never input.
    public init(stringLiteral value: String) {
        do { try self.init(value) } catch { preconditionFailure("invalid name literal \(value): \(error)") }
    }
}
