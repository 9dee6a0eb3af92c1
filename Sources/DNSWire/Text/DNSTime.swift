// Primary responsibilities: RRSIG time stamps as text — the YYYYMMDDHHmmSS form and the decimal
// form of RFC 4034 §3.2 — converted with civil-calendar arithmetic, without Foundation or a clock.

/// Conversions between RRSIG time fields (seconds since 1970-01-01T00:00:00Z modulo 2^32) and text.
///
/// Values are read as unsigned 32-bit seconds, so every value prints as a date from 1970 to 2106
/// and the 14-digit form parses back to the same value (RFC 4034 §3.2).
public enum DNSTime {
    /// Seconds in a day.
    private static let secondsPerDay: Int64 = 86_400

    /// The `YYYYMMDDHHmmSS` form in UTC (RFC 4034 §3.2).
    /// - Parameter seconds: the field value.
    /// - Returns: fourteen digits.
    public static func format(_ seconds: UInt32) -> String {
        let total = Int64(seconds)
        let (year, month, day) = civilDate(daysSinceEpoch: total / secondsPerDay)
        let timeOfDay = total % secondsPerDay
        let fields = [
            (year, 4), (month, 2), (day, 2), (timeOfDay / 3600, 2), (timeOfDay / 60 % 60, 2), (timeOfDay % 60, 2),
        ]
        var text = ""
        for (value, width) in fields {
            let digits = String(value)
            text += String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return text
    }

    /// Parses either form RFC 4034 §3.2 allows: exactly fourteen digits `YYYYMMDDHHmmSS` (UTC), or an
    /// unsigned decimal number of seconds of at most ten digits that fits 32 bits.
    /// - Parameter text: the token's bytes.
    /// - Returns: the field value, or nil when the text is neither form or names an impossible date.
    public static func parse(_ text: [UInt8]) -> UInt32? {
        guard !text.isEmpty, text.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let digits = text.map { Int64($0 - 0x30) }
        if digits.count != 14 {
            guard digits.count <= 10 else { return nil }
            let value = digits.reduce(Int64(0)) { $0 * 10 + $1 }
            return value <= Int64(UInt32.max) ? UInt32(value) : nil
        }
        /// The number in digits `range`.
        func number(_ range: Range<Int>) -> Int64 { digits[range].reduce(Int64(0)) { $0 * 10 + $1 } }
        let year = number(0..<4)
        let month = number(4..<6)
        let day = number(6..<8)
        let hour = number(8..<10)
        let minute = number(10..<12)
        let second = number(12..<14)
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 60
        else { return nil }
        let seconds =
            daysSinceEpoch(year: year, month: month, day: day) * secondsPerDay + hour * 3600
            + minute * 60 + second
        guard (0...Int64(UInt32.max)).contains(seconds) else { return nil }
        return UInt32(seconds)
    }

    /// Days in a month of the proleptic Gregorian calendar.
    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a civil date (the well-known era-based algorithm; exact for all
    /// Gregorian dates).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day counted from 1970-01-01, the inverse of ``daysSinceEpoch(year:month:day:)``.
    private static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
