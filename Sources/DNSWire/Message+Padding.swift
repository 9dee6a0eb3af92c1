// Primary responsibilities: EDNS padding (RFC 7830) of an encoded message to a block size, one rule
// for the responses the listeners send over encrypted transports and the queries sent to TLS
// forwarders (RFC 8467 §4.1: 468-octet blocks for responses, 128 for queries).

extension Message {
    /// The block RFC 8467 §4.1 recommends for queries over an encrypted transport.
    public static let queryPaddingBlock = 128

    /// This message encoded again with a PADDING option that makes its length a multiple of `block`
    /// (RFC 7830 §3: 4 octets of option header, then zeros), placed before the COOKIE, which stays
    /// last; any PADDING it had is replaced.
    /// - Parameters:
    ///   - block: the block size.
    ///   - length: the message's encoded length without padding (the caller has just encoded it).
    ///   - limit: the largest encoding allowed.
    /// - Returns: the padded encoding, or nil without EDNS or when it would not fit in `limit`.
    public func serialized(paddingTo block: Int, unpaddedLength length: Int, maxSize limit: Int) -> [UInt8]? {
        var message = self
        guard var edns = message.edns, block > 0 else { return nil }
        edns.options.removeAll { $0.code == .padding }
        let optionHeader = 4
        let padding = (block - (length + optionHeader) % block) % block
        guard length + optionHeader + padding <= limit else { return nil }
        let cookieIndex = edns.options.firstIndex { $0.code == .cookie } ?? edns.options.endIndex
        edns.options.insert(.padding(padding), at: cookieIndex)
        message.edns = edns
        return try? message.serialized(maxSize: limit)
    }
}
