// Primary responsibilities: the service's one error shape — the configuration names something the
// engine cannot use (a root hints or trust-anchor file that is missing or does not parse).

import DNSWire

/// The engine cannot be built, or rebuilt at reload, from the configuration: the old one (if any)
/// stays in force, whole. The reason names the file or key, as the operator reads it; errors
/// compare by code (``CodedError``).
package typealias ServiceError = SimpleError<ServiceErrorCode>

/// What went wrong building the engine from the configuration: a root hints or trust-anchor file
/// that cannot be read (missing, unreadable, too large); root hints that do not parse or name no
/// usable root server (RFC 8109 §3); trust anchors, inline or in a file, that do not parse
/// (RFC 4035 §4.4); listeners the configuration cannot serve (a DNS-over-TLS socket from systemd
/// without `tls.certificate` and `tls.key`); a TLS forwarder's CA bundle that libssl cannot load;
/// a dnstap output libfstrm refuses.
package enum ServiceErrorCode: Hashable, Sendable {
    case unreadableFile, badRootHints, badTrustAnchors, listeners, forwarderTLS, dnstap
}
