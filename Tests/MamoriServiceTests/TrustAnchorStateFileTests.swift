// Primary responsibilities: tests of the RFC 5011 state file — atomic write and read back, no temporary file
// left, a missing directory created, an unwritable one giving a warning and read-only operation instead of a
// failure, and a store saved and restored through the file, a corrupt file set aside.

import DNSSEC
import DNSWire
import Foundation
import Logging
import Synchronization
import Testing

@testable import MamoriService

@Suite("RFC 5011 trust-anchor state file")
struct TrustAnchorStateFileTests {
    /// A write replaces the file atomically and reads back; no temporary file stays behind.
    @Test func writeThenRead() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = LogCapture()
        let file = TrustAnchorStateFile(directory: directory, logger: capture.logger)
        #expect(!file.isReadOnly)
        #expect(file.read() == nil, "no file yet")
        #expect(file.write("first\n"))
        #expect(file.write("second\n"))
        #expect(file.read() == "second\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory) == [TrustAnchorStateFile.defaultFileName])
        #expect(capture.warnings.isEmpty)
    }

    /// A missing state directory is created.
    @Test func createsMissingDirectory() throws {
        let parent = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let file = TrustAnchorStateFile(directory: parent + "/state", logger: LogCapture().logger)
        #expect(!file.isReadOnly)
        #expect(file.write("x\n"))
        #expect(FileManager.default.fileExists(atPath: parent + "/state/" + TrustAnchorStateFile.defaultFileName))
    }

    /// A directory that cannot be written (here: below a regular file, which defeats even root) gives a loud
    /// warning and read-only operation; nothing throws or traps, and writes report false.
    @Test func unwritableDirectoryRunsReadOnly() throws {
        let parent = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(FileManager.default.createFile(atPath: parent + "/file", contents: Data("x".utf8)))
        let capture = LogCapture()
        let file = TrustAnchorStateFile(directory: parent + "/file/state", logger: capture.logger)
        #expect(file.isReadOnly)
        #expect(capture.warnings.count == 1)
        #expect(capture.warnings.first?.contains("READ-ONLY") == true)
        #expect(!file.write("state\n"))
        #expect(file.read() == nil)

        let store = TrustAnchorStore(configured: [], policy: .auto)
        #expect(file.restore(into: store).isEmpty)
        #expect(!file.save(store))
        #expect(store.anchors == TrustAnchorStore.builtInRoot)
    }

    /// A store's RFC 5011 state survives a save and a restore into a new store.
    @Test func saveAndRestoreStore() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = TrustAnchorStateFile(directory: directory, logger: LogCapture().logger)
        let store = TrustAnchorStore(configured: [], policy: .auto)
        store.refreshFailed(.root, now: 1000)
        #expect(file.save(store))
        let text = try #require(file.read())
        #expect(text.contains("mamori-trust-anchor-state 1\n"))
        #expect(text.contains("zone . - 87400 - - 1\n"))

        let restarted = TrustAnchorStore(configured: [], policy: .auto)
        #expect(restarted.nextRefresh(now: 0) == 0)
        #expect(file.restore(into: restarted) == [.root])
        #expect(restarted.nextRefresh(now: 0) == 87400)
    }

    /// A state file that does not parse is set aside as `.bad` with a warning; the store keeps its anchors.
    @Test func corruptFileIsSetAside() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let capture = LogCapture()
        let file = TrustAnchorStateFile(directory: directory, logger: capture.logger)
        #expect(file.write("mamori-trust-anchor-state 1\nzone . nonsense\n"))
        let store = TrustAnchorStore(configured: [], policy: .auto)
        #expect(file.restore(into: store).isEmpty)
        #expect(capture.warnings.count == 1)
        #expect(capture.warnings.first?.contains("\(file.path):2:") == true)
        #expect(FileManager.default.fileExists(atPath: file.path + ".bad"))
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(store.anchors == TrustAnchorStore.builtInRoot)
    }
}
