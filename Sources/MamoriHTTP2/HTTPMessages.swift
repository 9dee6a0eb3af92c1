// Primary responsibilities: an HTTP request and response as the server session hands them over and
// takes them back — only what DNS over HTTPS needs, with no HTTP/2 framing in sight.

/// A complete request: the pseudo-headers, the headers DoH reads, and the body.
package struct HTTPRequest: Sendable {
    /// The HTTP/2 stream it arrived on: the response goes back on the same stream.
    package var stream: Int32
    /// `:method`, e.g. `GET` or `POST`.
    package var method: String
    /// `:path`: the path and the query, e.g. `/dns-query?dns=AAAB…`.
    package var path: String
    /// The `content-type` header, if any.
    package var contentType: String?
    /// The body (at most the session's body limit).
    package var body: [UInt8]
    /// True when the body went past the session's limit: the body is cut and the request must be
    /// answered 413.
    package var bodyTooLarge: Bool

    /// Creates a request.
    package init(
        stream: Int32, method: String, path: String, contentType: String?, body: [UInt8], bodyTooLarge: Bool
    ) {
        self.stream = stream
        self.method = method
        self.path = path
        self.contentType = contentType
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }
}

/// A response to one request.
package struct HTTPResponse: Sendable {
    /// The status code, e.g. 200 or 400.
    package var status: Int
    /// Headers besides `:status` and `content-length`, names in lowercase (HTTP/2 requires it).
    package var headers: [(name: String, value: String)]
    /// The body.
    package var body: [UInt8]

    /// Creates a response.
    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
