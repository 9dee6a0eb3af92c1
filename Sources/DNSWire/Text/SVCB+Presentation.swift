// Primary responsibilities: SVCB and HTTPS RDATA as text (RFC 9460 §2.1, Appendix A): the named
// SvcParamKeys mandatory, alpn, no-default-alpn, port, ipv4hint, ech and ipv6hint with their value
// syntaxes, and the generic keyNNNNN form for every other key and for malformed values.

extension SVCB {
    /// Names of the SvcParamKeys with a dedicated presentation syntax (RFC 9460 §14.3.2).
    static let keyNames: [UInt16: String] = [
        0: "mandatory", 1: "alpn", 2: "no-default-alpn", 3: "port", 4: "ipv4hint", 5: "ech", 6: "ipv6hint",
    ]

    /// The key's name, or `keyNNNNN` (RFC 9460 §2.1).
    static func keyName(_ key: UInt16) -> String { keyNames[key] ?? "key\(key)" }

    /// Parses a key name or `keyNNNNN`.
    static func key(named name: [UInt8]) -> UInt16? {
        let text = String(decoding: name, as: UTF8.self)
        if let known = keyNames.first(where: { $0.value == text })?.key { return known }
        guard name.starts(with: Array("key".utf8)), name.count > 3, name.count <= 8 else { return nil }
        let digits = Array(name.dropFirst(3))
        guard digits.count == 1 || digits.first != 0x30 else { return nil }
        return PresentationFields.decimal(digits, as: UInt16.self)
    }

    /// The RDATA text: priority, target, then each parameter (RFC 9460 §2.1).
    public var presentation: String {
        var text = "\(priority) \(target)"
        for parameter in parameters {
            text += " " + (Self.namedPresentation(of: parameter) ?? Self.genericPresentation(of: parameter))
        }
        return text
    }

    /// `keyNNNNN="value"` with the value as an escaped `<character-string>`, or `keyNNNNN` alone
    /// when the value is empty.
    static func genericPresentation(of parameter: Parameter) -> String {
        guard !parameter.value.isEmpty else { return "key\(parameter.key)" }
        return "key\(parameter.key)=" + RData.quoted(parameter.value)
    }

    /// The key's own syntax, or nil when the key has none or the value is malformed for it (the
    /// generic form then keeps the bytes exactly).
    static func namedPresentation(of parameter: Parameter) -> String? {
        let value = parameter.value
        switch parameter.key {
        case 0:  // mandatory: a list of keys
            guard !value.isEmpty, value.count % 2 == 0 else { return nil }
            let keys = stride(from: 0, to: value.count, by: 2).map { UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]) }
            return "mandatory=" + keys.map(keyName).joined(separator: ",")
        case 1:  // alpn: length-prefixed protocol IDs, printed as an escaped comma-separated list
            guard let ids = alpnIDs(value) else { return nil }
            var text = "alpn=\""
            for (index, id) in ids.enumerated() {
                if index > 0 { text.append(",") }
                for byte in id {
                    // RFC 9460 Appendix A.1: `,` and `\` are escaped in the list, then again as text.
                    if byte == 0x2C {
                        text.append("\\\\,")
                    } else if byte == 0x5C {
                        text.append("\\\\\\\\")
                    } else {
                        RData.appendEscaped([byte], to: &text)
                    }
                }
            }
            return text + "\""
        case 2:  // no-default-alpn: no value
            return value.isEmpty ? "no-default-alpn" : nil
        case 3:  // port
            guard value.count == 2 else { return nil }
            return "port=\(UInt16(value[0]) << 8 | UInt16(value[1]))"
        case 4:  // ipv4hint
            guard !value.isEmpty, value.count % 4 == 0 else { return nil }
            let addresses = stride(from: 0, to: value.count, by: 4).map {
                A(value[$0], value[$0 + 1], value[$0 + 2], value[$0 + 3]).description
            }
            return "ipv4hint=" + addresses.joined(separator: ",")
        case 5:  // ech: base64
            guard !value.isEmpty else { return nil }
            return "ech=" + BaseEncoding.base64(value)
        case 6:  // ipv6hint
            guard !value.isEmpty, value.count % 16 == 0 else { return nil }
            let addresses = stride(from: 0, to: value.count, by: 16).compactMap {
                AAAA(octets: Array(value[$0..<($0 + 16)]))?.description
            }
            return "ipv6hint=" + addresses.joined(separator: ",")
        default:
            return nil
        }
    }

    /// Splits an alpn value into its protocol IDs; nil unless it is a non-empty run of non-empty
    /// length-prefixed IDs that ends exactly (RFC 9460 §7.1.1).
    static func alpnIDs(_ value: [UInt8]) -> [ArraySlice<UInt8>]? {
        guard !value.isEmpty else { return nil }
        var ids: [ArraySlice<UInt8>] = []
        var index = 0
        while index < value.count {
            let length = Int(value[index])
            guard length > 0, index + 1 + length <= value.count else { return nil }
            ids.append(value[(index + 1)..<(index + 1 + length)])
            index += 1 + length
        }
        return ids
    }

    /// Parses priority, target and parameters (RFC 9460 §2.1); parameters are sorted by key and a
    /// repeated key is an error.
    init(fields: inout PresentationFields) throws(DNSWireError) {
        let priority = try fields.integer(UInt16.self, "priority")
        let target = try fields.name("target")
        var parameters: [Parameter] = []
        for token in fields.rest() {
            let text = token.text
            let equals = text.firstIndex(of: 0x3D)
            let name = Array(text[..<(equals ?? text.endIndex)])
            guard let key = Self.key(named: name) else { throw token.error("unknown SvcParamKey '\(token)'") }
            let raw: [UInt8]? =
                if let equals {
                    try ZoneFileScanner.Token.unescape(text[(equals + 1)...], token: token)
                } else { nil }
            // Only a registered name selects the key's own syntax; `keyNNNNN` always means raw wire bytes.
            let named = Self.keyNames[key] != nil && !name.starts(with: Array("key".utf8))
            let value = try Self.parseValue(key: key, raw: raw, named: named, token: token)
            guard !parameters.contains(where: { $0.key == key }) else {
                throw token.error("SvcParamKey \(Self.keyName(key)) repeated")
            }
            parameters.append(Parameter(key: key, value: value))
        }
        parameters.sort { $0.key < $1.key }
        self.init(priority: priority, target: target, parameters: parameters)
    }

    /// Turns one parameter's decoded text into its wire value.
    /// - Parameters:
    ///   - key: the SvcParamKey.
    ///   - raw: the value after `=`, quotes and escapes resolved; nil when there was no `=`.
    ///   - named: true when written with the key's name (its own syntax applies); false for `keyNNNNN`,
    ///     whose value is taken as the wire bytes.
    ///   - token: for errors.
    static func parseValue(
        key: UInt16, raw: [UInt8]?, named: Bool, token: ZoneFileScanner.Token
    )
        throws(DNSWireError) -> [UInt8]
    {
        guard named else { return raw ?? [] }
        if key == 2 {
            guard raw == nil else { throw token.error("no-default-alpn takes no value") }
            return []
        }
        guard let raw, !raw.isEmpty else { throw token.error("\(keyName(key)) needs a value") }
        var value: [UInt8] = []
        switch key {
        case 0:
            for item in raw.split(separator: 0x2C, omittingEmptySubsequences: false) {
                guard let listed = Self.key(named: Array(item)) else {
                    throw token.error("bad key '\(String(decoding: item, as: UTF8.self))' in mandatory")
                }
                value += [UInt8(listed >> 8), UInt8(truncatingIfNeeded: listed)]
            }
        case 1:
            for id in try alpnList(raw, token: token) {
                guard !id.isEmpty, id.count <= 255 else { throw token.error("bad alpn protocol ID length") }
                value.append(UInt8(id.count))
                value += id
            }
        case 3:
            guard let port = PresentationFields.decimal(raw, as: UInt16.self) else { throw token.error("bad port") }
            value = [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)]
        case 4:
            for item in raw.split(separator: 0x2C, omittingEmptySubsequences: false) {
                guard let address = A(presentation: item) else { throw token.error("bad ipv4hint address") }
                value += address.octets
            }
        case 5:
            guard let decoded = BaseEncoding.decodeBase64(raw) else { throw token.error("bad base64 in ech") }
            value = decoded
        case 6:
            for item in raw.split(separator: 0x2C, omittingEmptySubsequences: false) {
                guard let address = AAAA(presentation: item) else { throw token.error("bad ipv6hint address") }
                value += address.octets
            }
        default:
            value = raw
        }
        guard value.count <= Int(UInt16.max) else { throw token.error("SvcParamValue too long") }
        return value
    }

    /// Splits a decoded value-list at unescaped commas, resolving `\,` and `\\` (RFC 9460 Appendix A.1).
    static func alpnList(_ raw: [UInt8], token: ZoneFileScanner.Token) throws(DNSWireError) -> [[UInt8]] {
        var items: [[UInt8]] = [[]]
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == 0x5C {
                guard index + 1 < raw.count, raw[index + 1] == 0x2C || raw[index + 1] == 0x5C else {
                    throw token.error("bad escape in alpn list")
                }
                items[items.count - 1].append(raw[index + 1])
                index += 2
            } else if byte == 0x2C {
                items.append([])
                index += 1
            } else {
                items[items.count - 1].append(byte)
                index += 1
            }
        }
        return items
    }
}
