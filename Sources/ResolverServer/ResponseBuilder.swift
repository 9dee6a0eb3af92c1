// Primary responsibilities: building the responses the server owns (FORMERR, NOTIMP, REFUSED,
// BADVERS, SERVFAIL) and finishing the engine's responses: header echo (RFC 1035 §4.1.1), EDNS
// presence and size (RFC 6891 §6.1.1, §6.2.5), the client's COOKIE option placed last (RFC 7873 §5.2),
// truncation to the client's UDP size with TC, padding over encrypted transports (RFC 7830, RFC 8467).

import DNSWire

/// The size rules of one client's response: the most octets it may take, and the block its length
/// is padded to, if any.
package struct ResponseSize: Equatable, Sendable {
    /// Most octets: the UDP size the client can take, or 65535 on a stream (RFC 7766 §8).
    package var limit: Int
    /// Pad the response to a multiple of this many octets (RFC 7830), or nil for no padding.
    package var paddingBlock: Int?
}

/// Builds and finishes responses; stateless.
package enum ResponseBuilder {
    /// The block responses are padded to: RFC 8467 §4.1 recommends 468 octets for responses.
    package static let responsePaddingBlock = 468

    /// The UDP size a client can take: its EDNS payload size clamped to [512, ours], or 512
    /// without EDNS (RFC 1035 §4.2.1, RFC 6891 §6.2.3 and §6.2.5).
    package static func udpLimit(for query: Message, ednsBufferSize: Int) -> Int {
        guard let edns = query.edns else { return 512 }
        return min(max(Int(edns.udpPayloadSize), 512), max(ednsBufferSize, 512))
    }

    /// How large the response to `query` arriving over `transport` may be, and its padding: a
    /// padded query over an encrypted transport gets a padded response (RFC 7830 §4, RFC 8467
    /// §4.1); over clear text padding would hide nothing, and RFC 8467 §4 pads only encrypted DNS.
    package static func size(for query: Message, over transport: DNSTransport, ednsBufferSize: Int) -> ResponseSize {
        let limit = transport == .udp ? udpLimit(for: query, ednsBufferSize: ednsBufferSize) : 65535
        let padded =
            transport.isEncrypted && query.edns?.options.contains { $0.code == .padding } == true
        return ResponseSize(limit: limit, paddingBlock: padded ? responsePaddingBlock : nil)
    }

    /// Makes `response` answer `query`: same ID, OPCODE, question, RD and CD; QR and RA set; an
    /// OPT record exactly when the query had one, advertising `ednsBufferSize` and echoing DO
    /// (RFC 3225 §3). An RCODE above 15 cannot be said without EDNS and becomes SERVFAIL.
    /// - Parameter cookie: the COOKIE option for this client (``ServerCookies``), or nil for none. It
    ///   replaces any cookie the response carried and goes last in the OPT record, which is the last
    ///   record of the message: the packet cache finds it at the end and rewrites it per client.
    package static func finish(
        _ response: consuming Message, for query: Message, ednsBufferSize: Int, cookie: EDNSOption? = nil
    ) -> Message {
        // Consumed, not copied: a copy retained and released every array of the response.
        var message = consume response
        message.header.id = query.header.id
        message.header.isResponse = true
        message.header.opcode = query.header.opcode
        message.header.recursionDesired = query.header.recursionDesired
        message.header.checkingDisabled = query.header.checkingDisabled
        message.header.recursionAvailable = true
        message.header.truncated = false
        message.header.zero = false
        message.questions = query.questions
        if let queryEDNS = query.edns {
            var edns = message.edns ?? EDNS()
            edns.udpPayloadSize = UInt16(clamping: max(ednsBufferSize, 512))
            edns.version = 0
            edns.dnssecOK = queryEDNS.dnssecOK
            edns.otherFlags = 0
            edns.options.removeAll { $0.code == .cookie }
            if let cookie { edns.options.append(cookie) }
            message.edns = edns
        } else {
            message.edns = nil
            if message.rcode.rawValue > 15 { message.rcode = .servFail }
        }
        return message
    }

    /// Encodes a finished response within `size` (padded when it says so); on an encoding failure
    /// (data the codec cannot write) answers SERVFAIL instead, so the client is never left waiting.
    package static func encode(_ message: Message, size: ResponseSize) -> [UInt8] {
        let limit = size.limit
        if let bytes = try? message.serialized(maxSize: limit) {
            guard let block = size.paddingBlock, message.edns != nil else { return bytes }
            return message.serialized(paddingTo: block, unpaddedLength: bytes.count, maxSize: limit) ?? bytes
        }
        var failure = Message(
            header: message.header, questions: message.questions, edns: message.edns, rcode: .servFail)
        failure.edns?.options.removeAll { $0.code != .cookie }
        return (try? failure.serialized(maxSize: limit)) ?? []
    }

    /// A response carrying only an RCODE (and an EDE when the query had EDNS) for a parsed query.
    package static func error(
        _ rcode: RCode, for query: Message, ednsBufferSize: Int, extendedError: ExtendedDNSError? = nil,
        cookie: EDNSOption? = nil
    ) -> Message {
        var edns: EDNS? = nil
        if query.edns != nil, let extendedError { edns = EDNS(options: [.extendedDNSError(extendedError)]) }
        let response = Message(header: Header(id: query.header.id), edns: edns, rcode: rcode)
        return finish(response, for: query, ednsBufferSize: ednsBufferSize, cookie: cookie)
    }

    /// FORMERR for a message whose header could be read but not the rest (RFC 1035 §4.1.1): the
    /// header's ID, OPCODE and RD echoed, no question, no OPT (the OPT could not be read either).
    package static func formatError(header: Header) -> [UInt8] {
        var responseHeader = Header(id: header.id, opcode: header.opcode)
        responseHeader.isResponse = true
        responseHeader.recursionDesired = header.recursionDesired
        responseHeader.checkingDisabled = header.checkingDisabled
        responseHeader.recursionAvailable = true
        let message = Message(header: responseHeader, rcode: .formErr)
        return (try? message.serialized(maxSize: 512)) ?? []
    }

    /// BADVERS (RFC 6891 §6.1.3): the query used an EDNS version we do not speak. The answer
    /// carries an OPT with version 0, the highest we implement, and echoes the question so the
    /// client can match it.
    package static func badVersion(for query: Message, ednsBufferSize: Int) -> Message {
        var response = finish(Message(header: Header(id: query.header.id)), for: query, ednsBufferSize: ednsBufferSize)
        response.rcode = .badVers
        return response
    }
}
