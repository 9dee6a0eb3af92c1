// Primary responsibilities: the TLS forwarders the socket transport may reach (RFC 7858), made from
// the forward zones: for each address, how it is authenticated and the client context (CA bundle)
// its connections start from. Built before a start or reload commits, so a bad CA file is refused
// there and the old set stays.

import DNSWire
import MamoriTLS
import Resolver

/// One TLS forwarder's settings: who it must prove to be, and the context its connections use.
struct TLSForwarder: Sendable {
    /// The configured settings, as the engine's vocabulary has them.
    let settings: ForwarderTLS
    /// The same, as MamoriTLS checks them.
    let authentication: TLSAuthentication
    /// The client context, with the CA bundle loaded and ALPN `dot` offered (RFC 7858 §3.2).
    let context: TLSClientContext
}

/// Every TLS forwarder of a configuration, by address.
package struct TLSForwarders: Sendable {
    /// The forwarders by address (the configuration refuses one address with two settings).
    let byAddress: [ServerAddress: TLSForwarder]

    /// No TLS forwarder.
    package init() { byAddress = [:] }

    /// Makes the settings of every TLS forward zone's servers, loading each CA bundle once.
    /// - Throws: ``TLSError`` naming a CA file that cannot be loaded.
    package init(_ zones: [ForwardZone]) throws(TLSError) {
        var contexts: [String: TLSClientContext] = [:]
        var byAddress: [ServerAddress: TLSForwarder] = [:]
        for zone in zones {
            guard let settings = zone.tls else { continue }
            let key = settings.caFile ?? ""
            let context: TLSClientContext
            if let made = contexts[key] {
                context = made
            } else {
                context = try TLSClientContext(caFile: settings.caFile, alpn: ["dot"])
                contexts[key] = context
            }
            let forwarder = TLSForwarder(
                settings: settings, authentication: TLSAuthentication(name: settings.name, pins: settings.pins),
                context: context)
            for server in zone.servers where byAddress[server] == nil { byAddress[server] = forwarder }
        }
        self.byAddress = byAddress
    }

    /// The number of TLS forwarder addresses.
    package var count: Int { byAddress.count }
}
