// Primary responsibilities: small helpers shared by the DNSCrypto tests (hex and Base64 decoding).

import DNSCrypto
import Foundation
import Testing

/// Decodes hexadecimal text laid out field by field: whitespace is ignored and `;` starts a comment that runs
/// to the end of the line (the convention of the project's `.hex` fixtures).
func hex(_ text: String) -> [UInt8] {
    let digits = text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.prefix { $0 != ";" } }
        .joined()
        .filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Decodes Base64 as it appears in presentation format (RFC 4034 §2.2, §3.2), ignoring whitespace.
func base64(_ text: String) -> [UInt8] {
    [UInt8](Data(base64Encoded: text.filter { !$0.isWhitespace })!)
}

/// Flips one bit of `bytes` at `index`, for tampering tests.
func flipping(_ bytes: [UInt8], at index: Int) -> [UInt8] {
    var copy = bytes
    copy[index] ^= 0x01
    return copy
}

/// Expects `body` to throw a ``DNSCryptoError`` with `code`, recording an issue at the caller otherwise.
func expectError(
    _ code: DNSCryptoError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected DNSCryptoError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DNSCryptoError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected DNSCryptoError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
