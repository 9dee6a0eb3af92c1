// Primary responsibilities: choosing the next server of a zone (smoothed RTT, untried servers
// explored first, held-down and lame ones last), finding name servers' addresses when a
// delegation came without glue, and one query-response exchange with its EDNS and TCP fallbacks.

import DNSCache
import DNSSEC
import DNSWire

extension Lookup {
    /// What one exchange with a server gave.
    enum Exchange {
        /// A usable response.
        case response(Message)
        /// The server gave nothing usable; try another, and not this one again for the zone.
        case failed(String)
        /// Nothing arrived in time; try another, and this one again only when none is left.
        case timedOut(String)
        /// A limit of the whole resolution was reached; stop.
        case exhausted(ResolutionFailure)
    }

    /// Sends at most this many queries to one server for one question: the first, a retry without
    /// EDNS after FORMERR/NOTIMP (RFC 6891 §7), a retry over TCP after TC=1 or a spoofing sign, and
    /// a retry with the fresh server cookie of a BADCOOKIE reply (RFC 7873 §5.3).
    static let maxSendsPerExchange = 4

    // MARK: - Choosing a server

    /// The next server to ask in `zone`, looking up name servers' addresses when none is known
    /// (RFC 1034 §5.3.3 step 3, glueless delegations), within the per-delegation limits.
    ///
    /// Order: servers not yet asked in this client query, best first; then glueless name servers
    /// looked up one at a time; then, when nothing else is left, servers that timed out once,
    /// asked again with their backed-off timeout (``ResolutionLimits/maxTimeoutsPerServer``).
    /// The zone is given up after ``ResolutionLimits/maxAttemptsPerQuestion`` failed exchanges,
    /// and as soon as the query budget (``ResolutionLimits/maxUpstreamQueries``) is spent: once it
    /// is, looking up more name servers can only fail, so the loop stops there and says why.
    /// - Returns: nil when every server failed or no address can be found.
    func selectServer(in zone: inout ZoneAttempt, state: inout ResolutionState) async -> ServerAddress? {
        let now = self.now
        while true {
            guard zone.failures < limits.maxAttemptsPerQuestion else {
                zone.problems.append("gave up after \(zone.failures) failed attempts")
                return nil
            }
            guard state.upstreamQueries < limits.maxUpstreamQueries else {
                zone.problems.append("upstream query limit (\(limits.maxUpstreamQueries)) reached")
                return nil
            }
            let known = zone.delegation.allAddresses
            let stub = zone.delegation.source == .stub
            let usable = { (address: ServerAddress) in self.usable(address, configuredStub: stub) }
            let timeouts = state.timeouts
            let fresh = known.filter {
                usable($0) && !zone.failed.contains($0) && !zone.timedOut.contains($0) && timeouts[$0, default: 0] == 0
            }
            if let best = best(of: fresh, zone: zone.delegation.zone, now: now) { return best }
            if !known.isEmpty, !known.contains(where: usable),
                !zone.problems.contains(where: { $0.hasPrefix("skipped") })
            {
                let configuration = engine.configuration
                let loopback = configuration.doNotQueryLocalhost && known.contains { $0.host.isLoopback }
                zone.problems.append(
                    "skipped \(known.count) special-purpose or disabled-family addresses"
                        + (configuration.allowPrivateUpstreams || stub ? "" : " (allow-private-upstreams is off)")
                        + (loopback ? " (do-not-query-localhost is on)" : ""))
            }
            if !zone.delegation.isForward, zone.nameServerLookups < limits.maxNameServerLookupsPerDelegation,
                zone.nonexistentNameServers < limits.maxNXDOMAINNameServers,
                let host = zone.delegation.nameServers.first(where: { host in
                    // Only names with no address known: a known address that failed says nothing
                    // a new lookup would change. Names inside the zone need the zone itself to be
                    // resolved (no glue: a circular dependency), so they are skipped too.
                    !zone.lookedUp.contains(host) && (zone.delegation.addresses[host] ?? []).isEmpty
                        && !host.isSubdomain(of: zone.delegation.zone)
                })
            {
                zone.lookedUp.insert(host)
                zone.nameServerLookups += 1
                let (addresses, nonexistent) = await resolveAddresses(of: host, state: &state)
                if nonexistent {
                    zone.nonexistentNameServers += 1
                    zone.problems.append("name server \(host) does not exist")
                } else if addresses.isEmpty {
                    zone.problems.append("no address found for name server \(host)")
                }
                zone.delegation.addresses[host, default: []] += addresses
                continue
            }
            let retry = known.filter {
                usable($0) && !zone.failed.contains($0) && timeouts[$0, default: 0] < limits.maxTimeoutsPerServer
            }
            let silent = known.filter { usable($0) && timeouts[$0, default: 0] >= limits.maxTimeoutsPerServer }
            if retry.isEmpty && !silent.isEmpty && zone.problems.isEmpty {
                // The servers gave up on earlier in this client query (priming, another zone):
                // say so, or the reason would read as if nothing had been tried.
                zone.problems.append(
                    silent.prefix(3).map(\.description).joined(separator: ", ")
                        + (silent.count > 3 ? " and \(silent.count - 3) more" : "")
                        + " did not answer earlier in this query")
            }
            if let server = best(of: retry, zone: zone.delegation.zone, now: now) { return server }
            let heldDown = retry.compactMap { server -> (ServerAddress, String?)? in
                let info = engine.infrastructure.info(for: server, now: now)
                return info.heldDownUntil == nil ? nil : (server, info.lastFailure)
            }
            if !heldDown.isEmpty {
                // Every remaining server failed repeatedly and its one probe is out: fail now
                // rather than queue another timeout (InfrastructureCache.claimQuery says why),
                // saying what the last failure of each was.
                zone.problems.append(
                    heldDown.prefix(3).map { "\($0) (last: \($1 ?? "timed out"))" }.joined(separator: ", ")
                        + (heldDown.count > 3 ? " and \(heldDown.count - 3) more" : "")
                        + " held down after repeated failures")
            }
            return nil
        }
    }

    /// Whether the engine may send to `address`: its family is enabled, it is not loopback while
    /// `do-not-query-localhost` holds, and it is public unicast unless private upstreams are allowed
    /// or it is a stub zone's configured address (`configuredStub`): the operator named that server
    /// (a LAN router at 192.168.1.1), so no answer steered the resolver there, which is what
    /// `allow-private-upstreams` guards against; referrals below the stub zone keep the rule.
    func usable(_ address: ServerAddress, configuredStub: Bool = false) -> Bool {
        let configuration = engine.configuration
        guard address.host.isIPv6 ? configuration.useIPv6 : configuration.useIPv4 else { return false }
        if configuration.doNotQueryLocalhost && address.host.isLoopback { return false }
        return configuration.allowPrivateUpstreams || configuredStub || !address.host.isSpecialPurpose
    }

    /// The best candidate: servers neither lame for the zone nor held down first; among those,
    /// servers never heard from first (exploration, in the delegation's order), then the lowest
    /// expected wait (RFC 6298 SRTT, as BIND and Unbound select).
    ///
    /// A server whose last queries timed out counts with its backed-off RTO, not as unmeasured:
    /// a timeout gives no RTT sample, so a silent server used to look "never tried" forever and
    /// was explored first by every new query, each paying its timeout (the replay scenario
    /// iter_server_selection.rpl). Unbound likewise ranks by RTO, which includes the back-off.
    ///
    /// Held-down servers are not candidates at all: the infrastructure cache lets one probe through
    /// per hold-down (``InfrastructureCache/claimQuery(to:now:)``), which the chosen server must
    /// win, so a flood of names under a dead zone costs one timeout per hold-down, not one each.
    func best(of candidates: [ServerAddress], zone: DomainName, now: CacheTime) -> ServerAddress? {
        let infrastructure = engine.infrastructure
        var ranked: [(key: (Int, UInt32, Int), address: ServerAddress)] = []
        for candidate in candidates {
            let info = infrastructure.info(for: candidate, now: now)
            guard info.heldDownUntil == nil else { continue }
            let penalty = infrastructure.isLame(candidate, zone: zone, now: now) ? 1 : 0
            let expectedWait = info.consecutiveTimeouts > 0 ? info.retransmissionTimeout : info.smoothedRTT
            // The position breaks ties: equal keys keep the delegation's order (exploration).
            ranked.append(((penalty, expectedWait.map { $0 &+ 1 } ?? 0, ranked.count), candidate))
        }
        for entry in ranked.sorted(by: { $0.key < $1.key })
        where infrastructure.claimQuery(to: entry.address, now: now) {
            return entry.address
        }
        return nil
    }

    /// Resolves a name server's addresses as a sub-query sharing the budget: A first (when IPv4
    /// is on), AAAA only when no A was found or IPv4 is off — no query the question does not need.
    /// A question already being resolved further up the stack is skipped (cyclic glueless
    /// delegations, TsuNAME), and so is everything past ``ResolutionLimits/maxSubqueryDepth``.
    /// - Returns: the addresses, and whether the name does not exist.
    func resolveAddresses(of host: DomainName, state: inout ResolutionState) async -> ([ServerAddress], Bool) {
        var result: [ServerAddress] = []
        for type in addressTypes where result.isEmpty {
            let question = Question(name: host, type: type)
            guard !state.active.contains(question), state.depth < limits.maxSubqueryDepth else { continue }
            state.depth += 1
            let resolution = await resolve(question, state: &state)
            state.depth -= 1
            if resolution.rcode == .nxDomain { return ([], true) }
            // Addresses that failed validation are not used: they could lead anywhere (RFC 4035 §5.5).
            if resolution.status == .bogus { continue }
            for rrset in resolution.answer where rrset.type == type { result += Self.addresses(in: rrset) }
        }
        return (result, false)
    }

    // MARK: - One exchange

    /// Sends `question` to `server` and returns a usable response, retrying without EDNS after
    /// FORMERR/NOTIMP to an EDNS query (RFC 6891 §7), and over TCP after TC=1 (RFC 1035 §4.2.1,
    /// RFC 7766 §5) or after a mismatched reply, a spoofing sign (RFC 5452 §9.2). Every send
    /// counts against ``ResolutionLimits/maxUpstreamQueries``; RTTs and timeouts go to the
    /// infrastructure cache. EDNS queries carry a DNS cookie, and a reply with the wrong one is
    /// discarded like a mismatched one (RFC 7873 §5.3, ``checkCookie(_:sent:serverCookie:over:)``).
    /// A forwarder configured with TLS is asked over `.tls` and nothing else (RFC 7858, RFC 8310 §5).
    func exchange(
        _ question: Question, with server: ServerAddress, delegation: DelegationPoint, state: inout ResolutionState
    ) async -> Exchange {
        let infrastructure = engine.infrastructure
        let info = infrastructure.info(for: server, now: now)
        var useEDNS = info.edns != .unsupported
        // A TLS forwarder is asked over TLS only: no fallback below reaches UDP or TCP from there
        // (RFC 8310 §5, strict profile), as each one starts from UDP.
        var transport: DNSTransport = delegation.overTLS ? .tls : info.tcpOnly ? .tcp : .udp
        var serverCookie = info.serverCookie
        var retriedBadCookie = false
        for _ in 0..<Self.maxSendsPerExchange {
            // EDE 22 rather than 0: the client learns that no authority could be reached within
            // the budget, as when every server fails (RFC 8914 §4.23).
            guard state.upstreamQueries < limits.maxUpstreamQueries else {
                return .exhausted(
                    ResolutionFailure(
                        .noReachableAuthority, site: "XQLM",
                        "upstream query limit (\(limits.maxUpstreamQueries)) reached at \(question)"))
            }
            guard engine.clock.monotonicNow - state.started <= limits.resolutionTimeout else {
                return .exhausted(
                    ResolutionFailure(
                        .noReachableAuthority, site: "XTMO",
                        "resolution ran past \(limits.resolutionTimeout) at \(question)"))
            }
            state.upstreamQueries += 1
            let cookie = useEDNS ? cookieOption(for: server, serverCookie: serverCookie) : nil
            let query = makeQuery(question, edns: useEDNS, recursionDesired: delegation.isForward, cookie: cookie)
            var timeout = queryTimeout(milliseconds: infrastructure.info(for: server, now: now).retransmissionTimeout)
            if delegation.isForward { timeout = max(timeout, limits.minimumForwarderQueryTimeout) }
            let sent = engine.clock.monotonicNow
            let reply = await engine.transport.send(query, to: server, over: transport, timeout: timeout)
            if case .notSent = reply {} else { state.exchanges += 1 }
            switch reply {
            case .timeout:
                infrastructure.recordTimeout(for: server, now: now)
                state.timeouts[server, default: 0] += 1
                return .timedOut("\(server) timed out (\(transport))")
            case .notSent(let reason):
                // The resolver is at its own bound, not the server: stop this resolution without
                // marking the server, so an overload cannot make good servers look dead.
                return .exhausted(
                    ResolutionFailure(.other, site: "XBSY", "resolver busy: \(reason); \(question) not sent"))
            case .networkError(let reason):
                // Unreachable now (ICMP, refused connection, a TLS server that failed to prove who
                // it is): waiting and asking again would not help.
                infrastructure.recordTimeout(for: server, now: now, reason: reason)
                state.timeouts[server] = limits.maxTimeoutsPerServer
                return .failed("\(server): \(reason)")
            case .mismatch:
                guard transport == .udp else {
                    return .failed("\(server): mismatched reply over \(transport.rawValue.uppercased())")
                }
                transport = .tcp
            case .response(let message):
                // DNS cookies (RFC 7873 §5.3), judged before anything is learnt from the reply.
                switch checkCookie(message, sent: cookie, serverCookie: serverCookie, over: transport) {
                case .spoofed(let reason):
                    guard transport == .udp else {
                        return .failed("\(server): \(reason) (over \(transport.rawValue.uppercased()))")
                    }
                    transport = .tcp
                    continue
                case .badCookie(let fresh):
                    infrastructure.setServerCookie(fresh, for: server, now: now)
                    serverCookie = fresh
                    // Once with the fresh cookie; BADCOOKIE again means the server cannot check
                    // cookies consistently, and RFC 7873 §5.3 says to fall back to TCP.
                    if !retriedBadCookie {
                        retriedBadCookie = true
                        continue
                    }
                    guard transport == .udp else { return .failed("\(server): BADCOOKIE with its own cookie") }
                    transport = .tcp
                    continue
                case .accepted(let fresh):
                    if let fresh, fresh != serverCookie {
                        infrastructure.setServerCookie(fresh, for: server, now: now)
                        serverCookie = fresh
                    }
                case .stoppedCookies:
                    infrastructure.setServerCookie(nil, for: server, now: now)
                    serverCookie = nil
                }
                infrastructure.recordRTT(Self.milliseconds(engine.clock.monotonicNow - sent), for: server, now: now)
                if useEDNS && message.edns == nil && (message.rcode == .formErr || message.rcode == .notImp) {
                    infrastructure.setEDNS(.unsupported, for: server, now: now)
                    useEDNS = false
                    continue
                }
                if useEDNS && message.edns != nil && info.edns != .supported {
                    infrastructure.setEDNS(.supported, for: server, now: now)
                }
                if message.header.truncated && transport == .udp {
                    transport = .tcp
                    continue
                }
                if let sentName = query.question?.name, let echoed = message.question?.name,
                    engine.configuration.useCaseRandomisation, !echoed.isIdentical(to: sentName), transport == .udp
                {
                    // 0x20: a reply that lost the random case did not come from who we asked.
                    transport = .tcp
                    continue
                }
                return .response(message)
            }
        }
        return .failed("\(server): no usable reply after \(Self.maxSendsPerExchange) attempts")
    }

    /// The query for `question`: RD only towards forwarders (RFC 1035 §4.3.1; iterative queries
    /// to authorities carry RD=0), CD whenever we validate (RFC 6840 §5.9: a validating upstream
    /// must hand us bogus data for our own verdict and its reason, not a bare SERVFAIL; and one
    /// cached answer then serves CD=0 and CD=1 clients alike), EDNS with our buffer size and DO
    /// (RFC 6891, RFC 3225) and `cookie` (RFC 7873 §5.1), and with 0x20 the name's letters in random
    /// case. The transport picks the ID.
    func makeQuery(_ question: Question, edns: Bool, recursionDesired: Bool, cookie: EDNSOption? = nil) -> Message {
        var header = Header(id: 0)
        header.recursionDesired = recursionDesired
        header.checkingDisabled = engine.configuration.validation.enabled
        var name = question.name
        if engine.configuration.useCaseRandomisation {
            var random = SystemRandomNumberGenerator()
            let bytes = name.wireBytes.map { byte -> UInt8 in
                let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
                return isLetter && Bool.random(using: &random) ? byte ^ 0x20 : byte
            }
            name = (try? DomainName(wireBytes: bytes)) ?? name
        }
        return Message(
            header: header, questions: [Question(name: name, type: question.type, rrClass: question.rrClass)],
            edns: edns
                ? EDNS(
                    udpPayloadSize: engine.configuration.ednsBufferSize, dnssecOK: engine.configuration.dnssecOK,
                    options: cookie.map { [$0] } ?? [])
                : nil)
    }

    /// The wait for one server: its retransmission timeout, within the configured bounds.
    func queryTimeout(milliseconds: UInt32) -> Duration {
        min(max(.milliseconds(Int(milliseconds)), limits.minimumQueryTimeout), limits.maximumQueryTimeout)
    }

    /// Whole milliseconds of a duration, saturating.
    static func milliseconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
