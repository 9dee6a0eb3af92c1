// Primary responsibilities: the `dnstap` section — where dnstap messages go (a collector's unix
// socket or a file), who the resolver says it is, and which of the four message kinds are written.

/// dnstap output (`dnstap`); without `socket` or `file` (the default), there is none.
package struct DnstapSection: Hashable, Sendable {
    /// Where the Frame Streams go: exactly one of `socket` and `file`.
    package enum Destination: Hashable, Sendable {
        /// A collector's unix socket (`socket`), e.g. `fstrm_capture -u PATH`.
        case socket(String)
        /// A file written from the start (`file`).
        case file(String)
    }

    /// Where the messages go, or nil (the default) for no dnstap output.
    package var destination: Destination?
    /// The `identity` of every message; nil (the default) for the host name.
    package var identity: String?
    /// The `version` of every message; nil (the default) for `mamori`.
    package var version: String?
    /// CLIENT_QUERY messages: each message from a client (`client-queries`, default true).
    package var clientQueries = true
    /// CLIENT_RESPONSE messages: each response to a client (`client-responses`, default true).
    package var clientResponses = true
    /// RESOLVER_QUERY messages: each query to an authority or forwarder (`resolver-queries`, default true).
    package var resolverQueries = true
    /// RESOLVER_RESPONSE messages: each response accepted from one (`resolver-responses`, default true).
    package var resolverResponses = true

    /// Output to `destination` (nil: none), every kind on, the default identity and version.
    package init(destination: Destination? = nil) { self.destination = destination }
}
