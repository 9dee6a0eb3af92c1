// Primary responsibilities: the one place where the daemon gets its resolution engine. The lead
// replaces the body of makeQueryHandler with the real resolver (and removes NoEngineHandler);
// nothing else in mamorid knows which engine runs.

import DNSWire
import Logging
import MamoriConfiguration
import ResolverServer

/// Builds the resolution engine for a configuration.
/// - Parameters:
///   - configuration: the checked configuration (root hints, anchors, cache size, …).
///   - logger: the daemon's logger, for the engine to keep.
/// - Returns: the engine, which the listeners call and SIGHUP reloads.
/// - Throws: when the engine cannot start with this configuration (e.g. unreadable anchors);
///   the daemon then exits with the error.
func makeQueryHandler(configuration: Configuration, logger: Logger) throws -> any QueryHandler & Reloadable {
    logger.warning("this build has no resolution engine: every query is answered SERVFAIL (EDE 23)")
    return NoEngineHandler()
}

/// A stand-in engine for builds without the resolver: every query gets SERVFAIL with Extended DNS
/// Error 23 (Network Error, RFC 8914 §4.24) and a text saying why, so a test or an operator sees
/// at once that the daemon works and the engine is missing. Removed when the resolver is wired.
struct NoEngineHandler: QueryHandler, Reloadable {
    /// The EXTRA-TEXT sent with every answer.
    static let explanation = "resolution engine not available in this build"

    /// Nothing is cached.
    func answerFromCache(_ query: Message, client: ClientAddress) -> Message? { nil }

    /// Answers SERVFAIL with EDE 23 at once.
    func resolve(_ query: Message, client: ClientAddress, respond: @escaping @Sendable (Message) -> Void) {
        let edns = EDNS(options: [.extendedDNSError(ExtendedDNSError(.networkError, Self.explanation))])
        respond(Message(header: Header(id: query.header.id), edns: edns, rcode: .servFail))
    }

    /// Nothing to reload.
    func reload(_ configuration: Configuration) throws {}
}
