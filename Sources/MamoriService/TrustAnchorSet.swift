// Primary responsibilities: the trust anchors in force — built from the configuration (inline,
// files, built-in), with their RFC 5011 state file and the negative trust anchors (RFC 7646) —
// and how a reload or the clock changes the NTAs.

import DNSSEC
import DNSWire
import Logging
import MamoriConfiguration

/// The trust-anchor store with the settings it was built from and its state file.
struct TrustAnchorSet {
    /// The store the validator reads.
    var store: TrustAnchorStore
    /// What it was built from; a change at reload means a new store.
    var source: Source
    /// Where RFC 5011 state is kept; nil when nothing is managed (no file is touched then).
    var stateFile: TrustAnchorStateFile?
    /// The NTAs the configuration listed, to tell them from those added at run time.
    var configuredNegative: [DomainName]

    /// The settings a trust-anchor store depends on.
    struct Source: Equatable {
        /// `dnssec.trust-anchors`.
        var inline: [String]
        /// `dnssec.trust-anchor-files`.
        var files: [String]
        /// Their contents when read (nil: unreadable), so SIGHUP sees an edited file at the same path.
        var fileContents: [String?]
        /// `dnssec.trust-anchor-updates`.
        var updates: TrustAnchorUpdatePolicy
        /// `state-directory`.
        var stateDirectory: String

        /// What `configuration`'s store is built from.
        init(_ configuration: Configuration) {
            inline = configuration.dnssec.trustAnchors
            files = configuration.dnssec.trustAnchorFiles
            fileContents = files.map { try? EngineSettings.readText($0, what: "trust anchors") }
            updates = configuration.dnssec.trustAnchorUpdates
            stateDirectory = configuration.stateDirectory
        }
    }

    /// Builds the set: configured anchors (inline lines, then files; errors name the key or file
    /// and the line), else the built-in root anchors; NTAs (RFC 7646); and, when the update policy
    /// manages any zone (RFC 5011; `auto` = the built-in root only), the state file in the state
    /// directory, whose saved keys win over the configured ones. An unwritable state directory
    /// gives a loud warning and read-only operation, never a refusal to start.
    /// - Parameters:
    ///   - source: what `configuration` names, already read (a reload compared it); read here when nil,
    ///     so each anchor file is read once and what is parsed is what was compared.
    ///   - persistent: false when another instance owns the state directory: nothing is written.
    /// - Throws: ``ServiceError`` naming the key or file and the problem.
    init(_ configuration: Configuration, source: Source? = nil, logger: Logger, persistent: Bool) throws {
        let dnssec = configuration.dnssec
        let source = source ?? Source(configuration)
        store = TrustAnchorStore(
            configured: try Self.configuredAnchors(dnssec, contents: source.fileContents),
            policy: dnssec.trustAnchorUpdates,
            negativeAnchors: configuration.negativeTrustAnchors)
        if !store.managedZones.isEmpty {
            let file = TrustAnchorStateFile(
                directory: configuration.stateDirectory, logger: logger, readOnly: !persistent)
            let restored = file.restore(into: store)
            if !restored.isEmpty {
                logger.info("RFC 5011 state restored", metadata: ["zones": "\(restored.map(\.description))"])
            }
            stateFile = file
        }
        self.source = source
        configuredNegative = configuration.negativeTrustAnchors
    }

    /// The anchors the configuration gives: inline lines, then files, in order.
    /// - Parameter contents: the files' texts when already read (nil for one that could not be: it
    ///   is read again here for the error); by default every file is read here.
    /// - Throws: ``ServiceError`` naming the key or file and the line.
    static func configuredAnchors(_ dnssec: DNSSECSection, contents: [String?]? = nil) throws -> [TrustAnchor] {
        do {
            var anchors = try TrustAnchorStore.parse(inline: dnssec.trustAnchors)
            for (index, path) in dnssec.trustAnchorFiles.enumerated() {
                let text = try contents?[index] ?? EngineSettings.readText(path, what: "trust anchors")
                anchors += try TrustAnchorStore.parse(text, source: path)
            }
            return anchors
        } catch let error as TrustAnchorParseError {
            throw ServiceError(.badTrustAnchors, "\(error)")
        }
    }

    /// Makes the store's NTAs follow a reloaded configuration (RFC 7646 §2: operators add and
    /// remove them as zones are fixed): names no longer listed go, new ones come; NTAs added at
    /// run time, never listed, stay.
    /// - Returns: the names whose NTA ended, whose cached data must be flushed.
    mutating func followConfiguredNegativeAnchors(_ listed: [DomainName]) -> [DomainName] {
        let ended = configuredNegative.filter { !listed.contains($0) }
        for name in ended { store.removeNegativeAnchor(name) }
        for name in listed where !store.negativeAnchors.contains(where: { $0.name == name }) {
            store.addNegativeAnchor(NegativeTrustAnchor(name: name))
        }
        configuredNegative = listed
        return ended
    }
}
