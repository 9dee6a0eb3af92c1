// Primary responsibilities: the server side of one HTTP/2 connection through libnghttp2 — bytes in,
// whole requests out, responses in, bytes out — with bounded streams, headers and bodies, and no
// socket: the caller moves the bytes (over TLS) and answers the requests, on one queue.

import CNGHTTP2

/// One HTTP/2 server connection's protocol state (RFC 9113), over libnghttp2's memory interface.
///
/// Not thread-safe: used from one serial queue only, the connection's.
package final class HTTP2ServerSession {
    /// Limits that keep one connection from taking more than its share.
    package struct Limits: Sendable {
        /// Streams open at once (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113 §6.5.2); nghttp2 refuses
        /// more with RST_STREAM(REFUSED_STREAM).
        package var concurrentStreams: UInt32
        /// Largest body kept; a larger one marks the request ``HTTPRequest/bodyTooLarge``.
        package var maxBodySize: Int
        /// Largest sum of header name and value octets per request (SETTINGS_MAX_HEADER_LIST_SIZE
        /// advertised; a request past it is reset).
        package var maxHeaderBytes: Int

        /// Creates limits.
        package init(concurrentStreams: UInt32, maxBodySize: Int, maxHeaderBytes: Int = 8192) {
            self.concurrentStreams = concurrentStreams
            self.maxBodySize = maxBodySize
            self.maxHeaderBytes = maxHeaderBytes
        }
    }

    /// A request being received.
    private struct Partial {
        var method = ""
        var path = ""
        var contentType: String?
        var body: [UInt8] = []
        var bodyTooLarge = false
        var headerBytes = 0
    }

    /// The nghttp2 session, owned.
    private var session: OpaquePointer?
    /// The limits.
    let limits: Limits
    /// Requests whose headers began and that did not end yet, by stream.
    private var partial: [Int32: Partial] = [:]
    /// Response bodies being sent, by stream, with how much is sent.
    private var outgoing: [Int32: (body: [UInt8], sent: Int)] = [:]
    /// Called for each complete request, from inside ``receive(_:)``.
    private let onRequest: (HTTPRequest) -> Void

    /// A server session with `limits`; `onRequest` is told of each complete request.
    /// - Returns: nil when nghttp2 cannot allocate a session.
    package init?(limits: Limits, onRequest: @escaping (HTTPRequest) -> Void) {
        self.limits = limits
        self.onRequest = onRequest
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { return nil }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, user in
            guard let frame, let user else { return 0 }
            HTTP2ServerSession.from(user).beginHeaders(frame.pointee.hd.stream_id)
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) {
            _, frame, name, nameLength, value, valueLength, _, user in
            guard let frame, let name, let value, let user else { return 0 }
            return HTTP2ServerSession.from(user).header(
                frame.pointee.hd.stream_id, UnsafeBufferPointer(start: name, count: nameLength),
                UnsafeBufferPointer(start: value, count: valueLength))
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, stream, data, length, user in
            guard let data, let user else { return 0 }
            HTTP2ServerSession.from(user).data(stream, UnsafeBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, user in
            guard let frame, let user else { return 0 }
            let header = frame.pointee.hd
            let endsStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            let carriesRequest =
                header.type == UInt8(NGHTTP2_HEADERS.rawValue) || header.type == UInt8(NGHTTP2_DATA.rawValue)
            if endsStream && carriesRequest { HTTP2ServerSession.from(user).requestEnded(header.stream_id) }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, stream, _, user in
            guard let user else { return 0 }
            HTTP2ServerSession.from(user).streamClosed(stream)
            return 0
        }
        var created: OpaquePointer?
        guard nghttp2_session_server_new(&created, callbacks, Unmanaged.passUnretained(self).toOpaque()) == 0 else {
            return nil
        }
        session = created
        var settings = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: limits.concurrentStreams),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(limits.maxHeaderBytes)
            ),
        ]
        _ = nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
    }

    deinit { nghttp2_session_del(session) }

    /// The session behind a callback's user data.
    private static func from(_ user: UnsafeMutableRawPointer) -> HTTP2ServerSession {
        Unmanaged<HTTP2ServerSession>.fromOpaque(user).takeUnretainedValue()
    }

    // MARK: - Bytes in and out

    /// Feeds bytes read from the connection; complete requests are handed to `onRequest` meanwhile.
    /// - Returns: false when the peer broke the protocol (nghttp2 then queued a GOAWAY to send).
    package func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        return nghttp2_session_mem_recv(session, base, bytes.count) >= 0
    }

    /// Appends what the session has to send (frames, responses) to `output`.
    /// Bounded: nghttp2 yields each frame once; the loop ends when it has nothing more.
    package func drainOutput(into output: inout [UInt8]) {
        while true {
            var data: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &data)
            guard count > 0, let data else { return }
            output.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
        }
    }

    /// Whether the session still expects to read or to write (both false: the connection may close).
    package var isActive: Bool { nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 }

    /// Requests handed out and not yet answered, plus responses still being sent.
    package var openStreams: Int { partial.count + outgoing.count }

    // MARK: - Responses

    /// Queues `response` on `stream`; the frames go out with the next ``drainOutput(into:)``.
    package func respond(_ response: HTTPResponse, on stream: Int32) {
        let headers =
            [(":status", String(response.status)), ("content-length", String(response.body.count))]
            + response.headers.map { ($0.name, $0.value) }
        let names = headers.map { Array($0.0.utf8) }
        let values = headers.map { Array($0.1.utf8) }
        outgoing[stream] = (response.body, 0)
        var provider = nghttp2_data_provider()
        provider.read_callback = { _, stream, buffer, length, flags, _, user in
            guard let buffer, let flags, let user else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
            return HTTP2ServerSession.from(user).readBody(
                stream, into: UnsafeMutableBufferPointer(start: buffer, count: length), flags: flags)
        }
        // nghttp2 copies the names and values during the call.
        withPointers(names) { namePointers in
            withPointers(values) { valuePointers in
                var nva = (0..<headers.count).map { index in
                    nghttp2_nv(
                        name: UnsafeMutablePointer(mutating: namePointers[index]),
                        value: UnsafeMutablePointer(mutating: valuePointers[index]),
                        namelen: names[index].count, valuelen: values[index].count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
                }
                _ = nghttp2_submit_response(session, stream, &nva, nva.count, &provider)
            }
        }
    }

    /// Ends the connection: a GOAWAY with NO_ERROR goes out with the next drain (RFC 9113 §6.8).
    package func terminate() {
        _ = nghttp2_session_terminate_session(session, UInt32(NGHTTP2_NO_ERROR.rawValue))
    }

    // MARK: - Callbacks

    /// The header names a request is read for, as HPACK delivers them (lowercase, RFC 9113 §8.2.1).
    private static let methodName = Array(":method".utf8)
    private static let pathName = Array(":path".utf8)
    private static let contentTypeName = Array("content-type".utf8)

    private func beginHeaders(_ stream: Int32) {
        partial[stream] = Partial()
    }

    /// One header of a request; past the header budget the stream is reset.
    private func header(
        _ stream: Int32, _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        guard var request = partial[stream] else { return 0 }
        request.headerBytes += name.count + value.count
        guard request.headerBytes <= limits.maxHeaderBytes else {
            partial[stream] = nil
            return Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        // Only three headers matter; the others are never turned into strings (the hot path of a
        // DoH request, where every client sends a handful more).
        if name.elementsEqual(Self.methodName) {
            request.method = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual(Self.pathName) {
            request.path = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual(Self.contentTypeName) {
            request.contentType = String(decoding: value, as: UTF8.self)
        }
        partial[stream] = request
        return 0
    }

    /// Body bytes, kept up to the limit.
    private func data(_ stream: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard var request = partial[stream] else { return }
        if request.body.count + bytes.count > limits.maxBodySize {
            request.bodyTooLarge = true
        } else {
            request.body.append(contentsOf: bytes)
        }
        partial[stream] = request
    }

    /// The client finished sending a request: hand it out.
    private func requestEnded(_ stream: Int32) {
        guard let request = partial.removeValue(forKey: stream) else { return }
        onRequest(
            HTTPRequest(
                stream: stream, method: request.method, path: request.path, contentType: request.contentType,
                body: request.body, bodyTooLarge: request.bodyTooLarge))
    }

    private func streamClosed(_ stream: Int32) {
        partial[stream] = nil
        outgoing[stream] = nil
    }

    /// Copies the next part of `stream`'s response body; EOF after the last.
    private func readBody(
        _ stream: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>, flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let (body, sent) = outgoing[stream] else {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            return 0
        }
        let count = min(buffer.count, body.count - sent)
        if count > 0 {
            body.withUnsafeBufferPointer { source in
                buffer.baseAddress!.update(from: source.baseAddress! + sent, count: count)
            }
        }
        if sent + count == body.count {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            outgoing[stream] = nil
        } else {
            outgoing[stream] = (body, sent + count)
        }
        return count
    }
}

/// Calls `body` with stable pointers to each of `arrays`' storage.
private func withPointers<R>(_ arrays: [[UInt8]], _ body: ([UnsafePointer<UInt8>]) -> R) -> R {
    var pointers: [UnsafePointer<UInt8>] = []
    func recurse(_ index: Int) -> R {
        if index == arrays.count { return body(pointers) }
        return arrays[index].withUnsafeBufferPointer { buffer in
            pointers.append(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return recurse(index + 1)
        }
    }
    return recurse(0)
}
