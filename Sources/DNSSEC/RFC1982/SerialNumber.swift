// Primary responsibilities: RFC 1982 serial-number comparison of 32-bit times, which RRSIG inception and
// expiration use so that signatures keep working across the 2106 wrap (RFC 4034 §3.1.5).

/// A 32-bit value compared with serial-number arithmetic (RFC 1982 §3.2, SERIAL_BITS = 32).
///
/// `a < b` when they differ and `b − a` (mod 2³²) is below 2³¹. Pairs exactly 2³¹ apart are undefined in
/// RFC 1982; here neither is less than the other, so a signature window using such a pair never validates.
struct SerialNumber: Hashable, Sendable {
    /// The raw value: seconds since 1970-01-01 modulo 2³² for RRSIG times (RFC 4034 §3.1.5).
    let rawValue: UInt32

    /// Wraps a raw value.
    init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// RFC 1982 §3.2 "less than".
    static func < (lhs: SerialNumber, rhs: SerialNumber) -> Bool {
        let distance = rhs.rawValue &- lhs.rawValue
        return distance != 0 && distance < 0x8000_0000
    }

    /// RFC 1982 §3.2 "less than or equal".
    static func <= (lhs: SerialNumber, rhs: SerialNumber) -> Bool { lhs == rhs || lhs < rhs }

    /// `self + seconds` in serial arithmetic (RFC 1982 §3.1 allows additions below 2³¹).
    func adding(_ seconds: UInt32) -> SerialNumber { SerialNumber(rawValue &+ min(seconds, 0x7FFF_FFFF)) }

    /// `self − seconds` in serial arithmetic, the inverse of ``adding(_:)``.
    func subtracting(_ seconds: UInt32) -> SerialNumber { SerialNumber(rawValue &- min(seconds, 0x7FFF_FFFF)) }

    /// Seconds from `self` until `later`, or 0 when `later` is not after `self`.
    func seconds(until later: SerialNumber) -> UInt32 { self < later ? later.rawValue &- rawValue : 0 }
}

extension SerialNumber: CustomStringConvertible {
    /// The time as RFC 4034 §3.2 presents RRSIG times, `YYYYMMDDHHmmSS` in UTC, read as seconds since 1970
    /// (the 2106 wrap is not unfolded: reasons only need to be readable).
    var description: String {
        let seconds = Int(rawValue)
        let days = seconds / 86400
        let secondOfDay = seconds % 86400
        // Civil date from a day count (proleptic Gregorian calendar, eras of 400 years).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(secondOfDay / 3600, 2)
            + pad(secondOfDay / 60 % 60, 2) + pad(secondOfDay % 60, 2)
    }
}
