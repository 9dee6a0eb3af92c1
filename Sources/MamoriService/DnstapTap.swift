// Primary responsibilities: dnstap at the resolver's two observer points — the responses sent
// (QueryProcessor's ResponseObserver) and the upstream traffic (the socket transport) — turned
// into CLIENT_QUERY, CLIENT_RESPONSE, RESOLVER_QUERY and RESOLVER_RESPONSE messages (dnstap.proto).

import DNSWire
import Dnstap
import MamoriConfiguration
import MamoriSystem
import Resolver
import ResolverServer

#if canImport(Glibc)
    import Glibc
#endif

/// The `dnstap` section at work: observes the traffic it is configured for and writes each
/// message to a ``DnstapOutput``, which never blocks (a full queue drops and counts).
///
/// Addresses follow dnstap.proto: the initiator is the query address, so a client is the query
/// address of client messages and an authority the response address of resolver messages. The
/// resolver's own addresses (the listener's, the upstream socket's) are not given.
package final class DnstapTap: ResponseObserver, UpstreamTrafficObserver {
    /// The Frame Streams output.
    package let output: DnstapOutput
    /// Which kinds are written.
    private let section: DnstapSection

    /// Starts the output `section` names.
    /// - Throws: ``DnstapError`` when libfstrm refuses it.
    package init(_ section: DnstapSection, destination: DnstapSection.Destination) throws(DnstapError) {
        self.section = section
        let envelope = DnstapEnvelope(
            identity: section.identity ?? Self.hostName(), version: section.version ?? "mamori")
        switch destination {
        case .socket(let path): output = try DnstapOutput(destination: .socket(path), envelope: envelope)
        case .file(let path): output = try DnstapOutput(destination: .file(path), envelope: envelope)
        }
    }

    /// The tap `configuration` asks for, or nil when `dnstap` names no socket or file.
    package static func start(_ configuration: Configuration) throws(DnstapError) -> DnstapTap? {
        guard let destination = configuration.dnstap.destination else { return nil }
        return try DnstapTap(configuration.dnstap, destination: destination)
    }

    /// Whether client messages are wanted: without, the query path is given no observer at all.
    package var observesClients: Bool { section.clientQueries || section.clientResponses }
    /// Whether resolver messages are wanted: without, the transport is given no observer at all.
    package var observesUpstreams: Bool { section.resolverQueries || section.resolverResponses }

    /// The host name (`gethostname`), the default identity.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "mamori" }
        return String(cString: buffer)
    }

    /// `now` less `elapsed`: when something that took `elapsed` began, on the wall clock.
    static func before(_ now: DnstapTime, _ elapsed: Duration) -> DnstapTime {
        let total = Int64(now.seconds) * 1_000_000_000 + Int64(now.nanoseconds) - elapsed.nanosecondsUpToAnHour
        let clamped = max(0, total)
        return DnstapTime(seconds: UInt64(clamped / 1_000_000_000), nanoseconds: UInt32(clamped % 1_000_000_000))
    }

    // MARK: - Client traffic

    /// Every response while a client kind is on; else none but failures, which are ignored.
    package var observesEveryResponse: Bool { section.clientQueries || section.clientResponses }

    /// A response as it leaves: CLIENT_QUERY (dated at the query's arrival, from the response's
    /// latency) and CLIENT_RESPONSE. A query that gets no response (dropped) is not written.
    package func observe(_ sent: SentResponse) {
        let now = DnstapTime.now()
        let queryTime = sent.latency.map { Self.before(now, $0) } ?? now
        let client = ServiceAddress(host: sent.client.address, port: sent.client.port)
        let transport = DnstapMessage.SocketProtocol(sent.client.transport)
        if section.clientQueries {
            var message = DnstapMessage(kind: .clientQuery, socketProtocol: transport)
            message.queryAddress = client
            message.queryTime = queryTime
            message.queryMessage = sent.query
            output.write(message)
        }
        if section.clientResponses {
            var message = DnstapMessage(kind: .clientResponse, socketProtocol: transport)
            message.queryAddress = client
            message.queryTime = queryTime
            message.responseTime = now
            message.responseMessage = sent.response
            output.write(message)
        }
    }

    // MARK: - Upstream traffic

    package func upstreamQuerySent(_ query: [UInt8], to server: ServerAddress, over transport: DNSTransport) {
        guard section.resolverQueries else { return }
        var message = DnstapMessage(kind: .resolverQuery, socketProtocol: .init(transport))
        message.responseAddress = server
        message.queryTime = .now()
        message.queryMessage = query
        output.write(message)
    }

    package func upstreamResponseReceived(
        _ response: [UInt8], to query: [UInt8], from server: ServerAddress, over transport: DNSTransport,
        elapsed: Duration
    ) {
        guard section.resolverResponses else { return }
        let now = DnstapTime.now()
        var message = DnstapMessage(kind: .resolverResponse, socketProtocol: .init(transport))
        message.responseAddress = server
        message.queryTime = Self.before(now, elapsed)
        message.responseTime = now
        message.responseMessage = response
        output.write(message)
    }

    /// Counts frames dropped (queue full) and written at each scrape of `metrics`.
    package func addCollectors(to metrics: ServerMetrics) {
        let dropped = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_dnstap_dropped_total",
            help: "dnstap messages dropped because the queue to the collector was full.")
        let written = ServerMetrics.FollowingCounter(
            metrics, name: "mamori_dnstap_queued_total", help: "dnstap messages queued for the collector.")
        let output = self.output
        metrics.addCollector {
            dropped.update(to: Int(clamping: output.dropped))
            written.update(to: Int(clamping: output.written))
        }
    }
}
