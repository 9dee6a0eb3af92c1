// Primary responsibilities: the negative trust anchors added at run time (`mamorictl nta add`)
// across restarts — written atomically to the state directory at every change, read back at
// start with the expired ones dropped, and trusted only under the trust anchors they were added
// against.

import DNSCache
import DNSSEC
import DNSWire
import Logging

/// `STATE/negative-trust-anchors.state`: one NTA a line, `nta NAME EXPIRY|never`, after a line
/// `anchors FINGERPRINT` naming the configured trust anchors the NTAs were added under.
///
/// An NTA is an exception to a set of trust anchors (RFC 7646 §1: validation of a zone that
/// fails under them is switched off): under other configured anchors (another `dnssec.trust-anchors`,
/// another anchor file's content, another update policy) the same name may validate, or fail for
/// another reason, and an NTA carried over would hide that. So the file is used only when the
/// fingerprint matches; otherwise it is ignored (logged, naming the NTAs) and the next change
/// rewrites it. Expiries are absolute (seconds since 1970), so an NTA ends at the same moment
/// whether the daemon was running or not; one whose lifetime passed while it was down is dropped,
/// and none is taken for longer than a week from now (a clock set back, a crafted file).
struct NegativeAnchorStateFile: Sendable {
    /// The file's name in the state directory.
    static let fileName = "negative-trust-anchors.state"
    /// The largest file read: far above any real list, a bound on a bad file.
    static let maximumSize = 1 << 20
    /// The most NTAs restored: a bound on the loop over a file's lines.
    static let maximumAnchors = 10_000
    /// The longest lifetime restored, from now (RFC 7646 §3.3; the `nta add` cap).
    static let maximumLifetime: Int64 = 7 * 86400

    /// The file's path.
    let path: String
    /// Where problems are logged.
    let logger: Logger

    /// The file in the state directory `directory`.
    init(directory: String, logger: Logger) {
        path = (directory.hasSuffix("/") ? directory : directory + "/") + Self.fileName
        self.logger = logger
    }

    /// The fingerprint of the configured anchors a run-time NTA is tied to.
    static func fingerprint(_ source: TrustAnchorSet.Source) -> String {
        let text = (source.inline + source.files + source.fileContents.map { $0 ?? "unreadable" }).joined(
            separator: "\n")
        return ResolverCache.fingerprint(text + "\nupdates=\(source.updates)")
    }

    /// The file's text for `anchors`.
    static func render(_ anchors: [NegativeTrustAnchor], fingerprint: String) -> String {
        var text = "# negative trust anchors added with mamorictl nta add (written by mamorid)\n"
        text += "anchors \(fingerprint)\n"
        for anchor in anchors { text += "nta \(anchor.name) \(anchor.expiry.map(String.init) ?? "never")\n" }
        return text
    }

    /// The NTAs in `text` that still apply at `now`, if it was written under `fingerprint`.
    /// - Throws: a reason: another fingerprint, or a line that does not read.
    static func parse(_ text: String, fingerprint: String, now: Int64) throws(Refusal) -> [NegativeTrustAnchor] {
        var anchors: [NegativeTrustAnchor] = []
        var sawFingerprint = false
        for (number, line) in text.split(separator: "\n").enumerated() {
            let words = line.split(separator: " ")
            if words.isEmpty || words[0].hasPrefix("#") { continue }
            switch (words[0], words.count) {
            case ("anchors", 2):
                guard words[1] == fingerprint else {
                    throw Refusal(description: "written under other configured trust anchors")
                }
                sawFingerprint = true
            case ("nta", 3):
                guard sawFingerprint else { throw Refusal(description: "line \(number + 1): nta before anchors") }
                guard anchors.count < maximumAnchors else {
                    throw Refusal(description: "more than \(maximumAnchors) NTAs")
                }
                guard let name = try? DomainName(String(words[1])) else {
                    throw Refusal(description: "line \(number + 1): \(words[1]) is not a domain name")
                }
                if words[2] == "never" {
                    anchors.append(NegativeTrustAnchor(name: name))
                } else if let expiry = Int64(words[2]) {
                    // RFC 7646 §2: an NTA applies only for its lifetime.
                    if expiry > now {
                        anchors.append(NegativeTrustAnchor(name: name, expiry: min(expiry, now + maximumLifetime)))
                    }
                } else {
                    throw Refusal(description: "line \(number + 1): \(words[2]) is not an expiry")
                }
            default:
                throw Refusal(description: "line \(number + 1) does not read: \(line)")
            }
        }
        guard sawFingerprint else { throw Refusal(description: "no anchors line") }
        return anchors
    }

    /// Why the file was not used.
    struct Refusal: Error, CustomStringConvertible {
        /// The reason.
        let description: String
    }

    /// The NTAs the file holds that apply at `now`, or none (a missing, unreadable or foreign
    /// file; the last two logged).
    func restore(fingerprint: String, now: Int64) -> [NegativeTrustAnchor] {
        do {
            guard let bytes = try AtomicFile.read(path, limit: Self.maximumSize) else { return [] }
            return try Self.parse(String(decoding: bytes, as: UTF8.self), fingerprint: fingerprint, now: now)
        } catch {
            logger.warning("run-time negative trust anchors not restored from \(path): \(error)")
            return []
        }
    }

    /// Replaces the file with `anchors`; the problem, or nil when written.
    func save(_ anchors: [NegativeTrustAnchor], fingerprint: String) -> String? {
        do {
            try AtomicFile.write(Array(Self.render(anchors, fingerprint: fingerprint).utf8), to: path, mode: 0o600)
            return nil
        } catch {
            logger.warning("run-time negative trust anchors not saved: \(error)")
            return "\(error)"
        }
    }
}
