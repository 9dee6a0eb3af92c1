// Primary responsibilities: the server side of DNS cookies (RFC 7873 §5.2) in the interoperable format of
// RFC 9018 §4 — checking the server cookie a client sends back, making a fresh one — and the secret they are
// made with, random at start, shared by every listener thread, rotated hourly with the previous one still
// accepted (RFC 9018 §5).

import DNSCrypto
import DNSWire
import Synchronization

/// Server cookies for every listener's clients.
///
/// A server cookie is 16 octets (RFC 9018 §4): Version 1, three Reserved octets (zero when made, hashed as
/// received when checked, §4.2), a 32-bit Timestamp (seconds since the epoch, §4.3) and an 8-octet Hash,
/// SipHash-2-4 of client cookie | version | reserved | timestamp | client IP address under the server secret
/// (§4.4), written in SipHash's own (little-endian) octet order as RFC 9018 Appendix A shows.
///
/// Cookies are never required: a query without a valid server cookie is answered as any other, with a fresh
/// one (RFC 7873 §5.2.3, §5.2.4), and BADCOOKIE is never sent. What they give clients today is a response an
/// off-path forger cannot produce without seeing the query (RFC 7873 §2); the verdict is there for a later
/// policy (rate limits for clients without a valid cookie).
///
/// **Rotation.** The secret changes every ``rotationInterval`` seconds. RFC 9018 §5's three stages are for an
/// anycast set that must learn a new secret before using it; a single process has nothing to wait for, so the
/// new secret signs at once (stages 1 and 2 together) and the previous one still verifies until the next
/// rotation (stage 3 after an hour, more than the half hour §5 asks for). Cookies older than an hour are
/// invalid anyway (§4.3), so nothing a client holds is lost by forgetting the secret before last.
package final class ServerCookies: Sendable {
    /// What a server cookie sent back by a client is worth.
    package enum Verdict: Hashable, Sendable {
        /// Made by us with the current secret for this client and client cookie, at most half an hour ago:
        /// echoed unchanged.
        case valid
        /// Made by us, but more than half an hour ago or with the previous secret: still valid (RFC 9018
        /// §4.3, §5), and replaced with a fresh one in the response.
        case renew
        /// Not ours, not for this client or client cookie, too old, too far in the future, or another
        /// version or length.
        case invalid
    }

    /// The Version sub-field of the cookies this server makes (RFC 9018 §4.1, §6: SipHash-2-4).
    static let version: UInt8 = 1
    /// Octets in a server cookie of version 1 (RFC 9018 §6).
    package static let length = 16
    /// Oldest acceptable Timestamp, in seconds before now (RFC 9018 §4.3: "1 hour period in the past").
    static let maxAge: Int32 = 3600
    /// Farthest acceptable Timestamp, in seconds after now (RFC 9018 §4.3: "5 minutes into the future").
    static let maxFuture: Int32 = 300
    /// Age after which a valid cookie is replaced (RFC 9018 §4.3: "older than half an hour").
    static let renewalAge: Int32 = 1800
    /// Seconds between secret rotations.
    package static let rotationInterval: Int64 = 3600

    /// The secrets in force.
    private struct Secrets {
        /// Signs new cookies and verifies.
        var current: SipHashKey
        /// Verifies only; nil until the first rotation.
        var previous: SipHashKey?
        /// When `current` took over (wall-clock seconds).
        var since: Int64
    }

    /// The secrets, shared by every listener thread. Taken briefly per cookie (inside a packet-cache
    /// shard's lock on a replay: this lock is never held while taking another, so the order is fixed).
    private let secrets: Mutex<Secrets>

    /// Server cookies signed with `secret` from `now` on.
    /// - Parameters:
    ///   - secret: the server secret; random by default.
    ///   - previousSecret: a secret that still verifies, as after a rotation (tests, RFC 9018 Appendix A.4).
    ///   - now: wall-clock seconds; the first rotation is ``rotationInterval`` later.
    package init(secret: SipHashKey = .random(), previousSecret: SipHashKey? = nil, now: Int64) {
        secrets = Mutex(Secrets(current: secret, previous: previousSecret, since: now))
    }

    /// The current and previous secrets at `now`, rotating first when due. A wall clock set back rotates
    /// at once, so a secret never signs for longer than the interval.
    private func keys(now: Int64) -> (current: SipHashKey, previous: SipHashKey?) {
        secrets.withLock { secrets in
            if now - secrets.since >= Self.rotationInterval || now < secrets.since {
                secrets.previous = secrets.current
                secrets.current = .random()
                secrets.since = now
            }
            return (secrets.current, secrets.previous)
        }
    }

    // MARK: - Checking and making

    /// Judges the server cookie a client sent with `client` (its 8-octet client cookie).
    /// - Parameters:
    ///   - client: the client cookie, 8 octets.
    ///   - server: the server cookie sent back, 8–32 octets.
    ///   - address: the client's address (IPv4-mapped addresses given as IPv4).
    ///   - now: wall-clock seconds.
    package func verdict(
        client: UnsafeRawBufferPointer, server: UnsafeRawBufferPointer, address: IPAddress, now: Int64
    ) -> Verdict {
        guard client.count == 8, server.count == Self.length, server[0] == Self.version else { return .invalid }
        let timestamp = UInt32(server[4]) << 24 | UInt32(server[5]) << 16 | UInt32(server[6]) << 8 | UInt32(server[7])
        // RFC 9018 §4.3: compared in serial number arithmetic (RFC 1982), so the 2106 wrap changes nothing.
        let age = Int32(bitPattern: UInt32(truncatingIfNeeded: now) &- timestamp)
        guard age >= -Self.maxFuture, age <= Self.maxAge else { return .invalid }
        let received = server.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let (current, previous) = keys(now: now)
        let prefix = UnsafeRawBufferPointer(rebasing: server[0..<8])
        if Self.hash(client: client, prefix: prefix, address: address, key: current).littleEndian == received {
            return age > Self.renewalAge ? .renew : .valid
        }
        if let previous,
            Self.hash(client: client, prefix: prefix, address: address, key: previous).littleEndian == received
        {
            return .renew
        }
        return .invalid
    }

    /// Writes the server cookie of a response into `destination`: the one the client sent when it is
    /// ``Verdict/valid``, otherwise a fresh one made at `now` with the current secret.
    /// - Parameters:
    ///   - client: the query's client cookie, 8 octets.
    ///   - received: the query's server cookie, empty when it had none.
    ///   - address: the client's address.
    ///   - now: wall-clock seconds.
    ///   - destination: exactly ``length`` octets.
    /// - Returns: false, writing nothing, when `destination` or `client` has the wrong size.
    package func write(
        client: UnsafeRawBufferPointer, received: UnsafeRawBufferPointer, address: IPAddress, now: Int64,
        into destination: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard destination.count == Self.length, client.count == 8 else { return false }
        if !received.isEmpty, verdict(client: client, server: received, address: address, now: now) == .valid {
            destination.copyMemory(from: received)
            return true
        }
        let timestamp = UInt32(truncatingIfNeeded: now)
        destination[0] = Self.version
        destination[1] = 0
        destination[2] = 0
        destination[3] = 0
        destination.storeBytes(of: timestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
        let hash = Self.hash(
            client: client, prefix: UnsafeRawBufferPointer(rebasing: destination[0..<8]), address: address,
            key: keys(now: now).current)
        destination.storeBytes(of: hash.littleEndian, toByteOffset: 8, as: UInt64.self)
        return true
    }

    /// What a query's COOKIE option calls for.
    package enum Answer: Hashable, Sendable {
        /// No COOKIE option: none in the response either.
        case none
        /// A COOKIE option of a length other than 8 or 16–40: FORMERR (RFC 7873 §5.2.2).
        case malformed
        /// This option goes in the response.
        case option(EDNSOption)
    }

    /// What answers the COOKIE option of a query with `edns` from `address` at `now` (RFC 7873 §5.2).
    package func answer(_ edns: EDNS, address: IPAddress, now: Int64) -> Answer {
        guard !edns.hasMalformedCookie else { return .malformed }
        guard let cookie = edns.cookie else { return .none }
        return .option(responseOption(client: cookie.client, received: cookie.server, address: address, now: now))
    }

    /// The COOKIE option of a response to a query that carried `client` and `received` (RFC 7873 §5.2.3,
    /// §5.2.4): the client cookie echoed, then the server cookie of ``write(client:received:address:now:into:)``.
    package func responseOption(client: [UInt8], received: [UInt8], address: IPAddress, now: Int64) -> EDNSOption {
        let server = [UInt8](unsafeUninitializedCapacity: Self.length) { buffer, initialized in
            client.withUnsafeBytes { client in
                received.withUnsafeBytes { received in
                    initialized =
                        write(
                            client: client, received: received, address: address, now: now,
                            into: UnsafeMutableRawBufferPointer(buffer)) ? Self.length : 0
                }
            }
        }
        return .cookie(client: client, server: server)
    }

    /// The Hash sub-field (RFC 9018 §4.4): SipHash-2-4 of client cookie | version | reserved | timestamp |
    /// client IP (4 octets for IPv4, 16 for IPv6), built in a 32-octet stack buffer.
    /// - Parameter prefix: the cookie's first 8 octets (version, reserved, timestamp), as received or made.
    static func hash(
        client: UnsafeRawBufferPointer, prefix: UnsafeRawBufferPointer, address: IPAddress, key: SipHashKey
    ) -> UInt64 {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { input in
            input.copyMemory(from: client)
            UnsafeMutableRawBufferPointer(rebasing: input[8..<16]).copyMemory(from: prefix)
            let count: Int
            switch address {
            case .v4(let value):
                input.storeBytes(of: value.bigEndian, toByteOffset: 16, as: UInt32.self)
                count = 20
            case .v6(let high, let low):
                input.storeBytes(of: high.bigEndian, toByteOffset: 16, as: UInt64.self)
                input.storeBytes(of: low.bigEndian, toByteOffset: 24, as: UInt64.self)
                count = 32
            }
            return SipHash24.hash(UnsafeRawBufferPointer(rebasing: input[0..<count]), key: key)
        }
    }
}
