// Primary responsibilities: cutting zone-file text into entries and tokens (RFC 1035 §5.1):
// comments, quoted strings, backslash escapes, parentheses that continue an entry over lines,
// and the leading blank that means "same owner as before". Every token remembers its line and column.

/// Splits presentation text into entries (one resource record or directive each) of raw tokens.
///
/// Tokens keep their source bytes, quotes and escapes included; the consumer decides whether a
/// token is a name, a number or a `<character-string>` and decodes it accordingly. Nothing here
/// traps on input; malformed text (an unterminated quote, an unbalanced parenthesis) throws
/// ``DNSWireError`` `badText` naming the line and column.
public struct ZoneFileScanner {
    /// One whitespace-delimited token as written, quotes and escapes included.
    public struct Token: Sendable, CustomStringConvertible {
        /// The source bytes.
        public var text: [UInt8]
        /// The 1-based line where the token starts.
        public var line: Int
        /// The 1-based column (in bytes) where the token starts.
        public var column: Int

        /// Whether the token is written as a quoted string.
        public var isQuoted: Bool { text.first == 0x22 }

        /// The token as written.
        public var description: String { String(decoding: text, as: UTF8.self) }

        /// An error at this token's position.
        /// - Parameter reason: what was wrong.
        /// - Returns: a `badText` error reading "line L, column C: reason".
        func error(_ reason: String) -> DNSWireError {
            ZoneFileScanner.error(reason, line: line, column: column)
        }
    }

    /// One entry: the tokens of a record or directive, with parentheses already resolved.
    public struct Entry: Sendable {
        /// The tokens, at least one.
        public var tokens: [Token]
        /// True when the entry's first line starts with a blank, so the owner is omitted (RFC 1035 §5.1).
        public var ownerOmitted: Bool
        /// The line where the entry starts.
        public var line: Int { tokens[0].line }
    }

    /// Most parentheses open at once; more is surely not a zone file.
    static let maxParenthesisDepth = 8

    /// The text as UTF-8 bytes.
    private let bytes: [UInt8]
    /// The next byte to look at.
    private var index = 0
    /// The current 1-based line.
    private var line = 1
    /// Where the current line starts in ``bytes``.
    private var lineStart = 0

    /// Creates a scanner over `text`.
    /// - Parameter text: zone-file text.
    public init(text: some StringProtocol) {
        bytes = Array(text.utf8)
    }

    /// The column of ``index``.
    private var column: Int { index - lineStart + 1 }

    /// Builds a `badText` error naming a position.
    /// - Parameters:
    ///   - reason: what was wrong.
    ///   - line: the 1-based line.
    ///   - column: the 1-based column.
    /// - Returns: the error, its offset set to the line.
    static func error(_ reason: String, line: Int, column: Int) -> DNSWireError {
        DNSWireError(.badText, "line \(line), column \(column): \(reason)", offset: line)
    }

    /// Reads the next entry, skipping blank lines and comments.
    /// - Returns: the entry, or nil at the end of the text.
    /// - Throws: ``DNSWireError`` `badText` for an unterminated quote, an unbalanced parenthesis, or a
    ///   backslash at the end of the text.
    public mutating func nextEntry() throws(DNSWireError) -> Entry? {
        var tokens: [Token] = []
        var depth = 0
        var openedAt = (line: 0, column: 0)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x0A:  // newline
                index += 1
                line += 1
                lineStart = index
                if depth == 0 && !tokens.isEmpty {
                    return Entry(tokens: tokens, ownerOmitted: tokens[0].column != 1)
                }
            case 0x20, 0x09, 0x0D:  // blank, tab, carriage return
                index += 1
            case 0x3B:  // ; comment to the end of the line
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
            case 0x28:  // (
                if depth == 0 { openedAt = (line, column) }
                depth += 1
                guard depth <= Self.maxParenthesisDepth else {
                    throw Self.error("parentheses nested too deep", line: line, column: column)
                }
                index += 1
            case 0x29:  // )
                guard depth > 0 else { throw Self.error("unbalanced ')'", line: line, column: column) }
                depth -= 1
                index += 1
            default:
                tokens.append(try readToken())
            }
        }
        guard depth == 0 else {
            throw Self.error("'(' is never closed", line: openedAt.line, column: openedAt.column)
        }
        return tokens.isEmpty ? nil : Entry(tokens: tokens, ownerOmitted: tokens[0].column != 1)
    }

    /// Reads one token starting at ``index``: up to an unquoted, unescaped blank, newline, `;`, `(`
    /// or `)`. A quoted part may hold blanks and those characters but not a newline.
    private mutating func readToken() throws(DNSWireError) -> Token {
        let start = index
        let startColumn = column
        var inQuotes = false
        loop: while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x5C:  // backslash: the next byte is literal (\DDD digits are ordinary bytes anyway)
                guard index + 1 < bytes.count, bytes[index + 1] != 0x0A else {
                    throw Self.error("backslash at the end of a line", line: line, column: column)
                }
                index += 2
            case 0x22:  // "
                inQuotes.toggle()
                index += 1
            case 0x0A:
                if inQuotes { throw Self.error("quoted string not closed", line: line, column: startColumn) }
                break loop
            case 0x20, 0x09, 0x0D, 0x3B, 0x28, 0x29:
                if !inQuotes { break loop }
                index += 1
            default:
                index += 1
            }
        }
        if inQuotes { throw Self.error("quoted string not closed", line: line, column: startColumn) }
        return Token(text: Array(bytes[start..<index]), line: line, column: startColumn)
    }
}

extension ZoneFileScanner.Token {
    /// Decodes the token as a `<character-string>` body (RFC 1035 §5.1): quotes removed, `\X` taken
    /// literally and `\DDD` as the octet with that decimal value. No length limit is applied here.
    /// - Returns: the octets.
    /// - Throws: ``DNSWireError`` `badText` for a `\DDD` escape that is not three digits up to 255.
    public func characterStringBytes() throws(DNSWireError) -> [UInt8] {
        try Self.unescape(text[...], token: self)
    }

    /// Removes quotes and resolves escapes in `text`.
    /// - Parameters:
    ///   - text: part of a token's bytes.
    ///   - token: the token, for error positions.
    /// - Returns: the octets.
    static func unescape(_ text: ArraySlice<UInt8>, token: Self) throws(DNSWireError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == 0x22 {
                index += 1
                continue
            }
            guard byte == 0x5C else {
                result.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < text.endIndex else { throw token.error("lone backslash") }
            if (0x30...0x39).contains(text[index]) {
                guard index + 2 < text.endIndex, (0x30...0x39).contains(text[index + 1]),
                    (0x30...0x39).contains(text[index + 2])
                else { throw token.error("\\DDD escape needs three digits") }
                let value =
                    Int(text[index] - 0x30) * 100 + Int(text[index + 1] - 0x30) * 10 + Int(text[index + 2] - 0x30)
                guard value <= 255 else { throw token.error("\\DDD escape over 255") }
                result.append(UInt8(value))
                index += 3
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }
}
