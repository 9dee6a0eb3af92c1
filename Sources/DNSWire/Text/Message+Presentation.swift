// Primary responsibilities: a whole message as dig-like text — header line, flags and counts, the
// OPT pseudo-section with EDNS options (cookie, Extended DNS Errors, padding), then each section as
// zone-file lines — for the lookup tool, logs and test failure messages.

extension Message: CustomStringConvertible {
    /// The message laid out the way `dig` prints it, e.g.
    /// ```
    /// ;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 4242
    /// ;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1
    ///
    /// ;; OPT PSEUDOSECTION:
    /// ; EDNS: version: 0, flags: do; udp: 1232
    /// ; EDE: 6 (DNSSEC Bogus): (signature expired)
    /// ;; QUESTION SECTION:
    /// ;example.com. IN A
    /// ```
    public var description: String {
        var lines: [String] = []
        lines.append(";; ->>HEADER<<- opcode: \(header.opcode), status: \(rcode), id: \(header.id)")
        let counts = [answer, authority, additional].map { section in
            section.reduce(0) { $0 + $1.rdatas.count + $1.signatures.count }
        }
        lines.append(
            ";; flags: \(flagWords.joined(separator: " ")); QUERY: \(questions.count), ANSWER: \(counts[0]), "
                + "AUTHORITY: \(counts[1]), ADDITIONAL: \(counts[2] + (edns == nil ? 0 : 1))")
        if let edns {
            lines.append("")
            lines.append(";; OPT PSEUDOSECTION:")
            lines.append(
                "; EDNS: version: \(edns.version), flags:\(edns.dnssecOK ? " do" : ""); udp: \(edns.udpPayloadSize)")
            for option in edns.options { lines.append("; " + Self.presentation(of: option)) }
        }
        lines.append(";; QUESTION SECTION:")
        for question in questions { lines.append(";\(question)") }
        for (title, section) in [("ANSWER", answer), ("AUTHORITY", authority), ("ADDITIONAL", additional)]
        where !section.isEmpty {
            lines.append("")
            lines.append(";; \(title) SECTION:")
            for rrset in section { lines.append(rrset.description) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header flags that are set, in dig's words and order (RFC 1035 §4.1.1, RFC 4035 §3.2).
    var flagWords: [String] {
        let flags: [(Bool, String)] = [
            (header.isResponse, "qr"), (header.authoritativeAnswer, "aa"), (header.truncated, "tc"),
            (header.recursionDesired, "rd"), (header.recursionAvailable, "ra"), (header.zero, "z"),
            (header.authenticData, "ad"), (header.checkingDisabled, "cd"),
        ]
        return flags.filter(\.0).map(\.1)
    }

    /// One EDNS option as dig prints it in the OPT pseudo-section.
    static func presentation(of option: EDNSOption) -> String {
        switch option {
        case .cookie(let client, let server):
            return "COOKIE: " + BaseEncoding.hex(client + server).lowercased()
        case .extendedDNSError(let error):
            let text = error.extraText.isEmpty ? "" : ": (\(error.extraText))"
            return "EDE: \(error.code.rawValue) (\(error.code))" + text
        case .padding(let count):
            return "PADDING: \(count) octets"
        case .unknown(let code, let data):
            return "\(code): " + BaseEncoding.hex(data).lowercased()
        }
    }
}
