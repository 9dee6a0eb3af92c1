// Primary responsibilities: an address and port as written in the configuration (`ADDR@PORT`,
// the notation Unbound and Knot use, which keeps IPv6 literals free of bracket rules).

/// An IP address with a port: a listening address or an upstream server.
public struct ServiceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var host: IPAddress
    /// The port.
    public var port: UInt16

    /// Creates an address with a port.
    public init(host: IPAddress, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `ADDR@PORT` or `ADDR` (then `defaultPort`). `ADDR` is dotted-quad IPv4 or an IPv6
    /// literal, optionally in brackets: `127.0.0.1@53`, `::1@53`, `[2001:db8::1]@5353`.
    /// - Returns: nil for anything else, including port 0 and ports above 65535.
    public init?(_ text: some StringProtocol, defaultPort: UInt16 = 53) {
        let text = Substring(text)
        var hostText = text
        var port = defaultPort
        if let at = text.lastIndex(of: "@") {
            hostText = text[..<at]
            let portText = text[text.index(after: at)...]
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), let value = UInt16(portText), value > 0 else {
                return nil
            }
            port = value
        }
        guard let host = IPAddress(hostText) else { return nil }
        self.init(host: host, port: port)
    }

    /// `ADDR@PORT`, the configuration notation.
    public var description: String { "\(host)@\(port)" }
}
