// Primary responsibilities: the daemon's side of the control socket — the commands are the
// service's (ResolverService.perform); the daemon adds what only it knows: its listeners, its
// configuration and its reload, serialised with SIGHUP on its queue.

import DNSWire
import Dispatch
import MamoriConfiguration
import MamoriControl
import MamoriService
import MamoriSystem
import ResolverServer

extension Daemon: ControlHandler {
    /// Carries out one command, on the control socket's queue.
    func perform(_ command: ControlCommand) -> ControlReply {
        guard let engine, let server else { return .error("the daemon is still starting") }
        let context = ControlContext(
            started: started,
            configuration: { [self] in control.sync { configuration } },
            listening: {
                "UDP \(server.udpAddresses.map(\.description).joined(separator: " ")), TCP \(server.tcpAddresses.map(\.description).joined(separator: " "))"
            },
            packetCache: server.processor.packetCache,
            waiting: { server.processor.pending.total },
            reload: { [self] in control.sync { reload() } })
        return engine.perform(command, context: context)
    }
}
