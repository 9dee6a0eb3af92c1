// Primary responsibilities: name the engine's view of an upstream address. It is DNSWire's
// ServiceAddress — one address type shared by the configuration, the listeners, the
// infrastructure cache and the engine.

import DNSWire

/// An upstream server's address and port.
package typealias ServerAddress = ServiceAddress
