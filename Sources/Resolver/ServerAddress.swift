// Primary responsibilities: name the engine's view of an upstream address. It is DNSWire's
// ServiceAddress — one address type shared by the configuration, the listeners, the
// infrastructure cache and the engine.

public import DNSWire

/// An upstream server's address and port.
public typealias ServerAddress = ServiceAddress
