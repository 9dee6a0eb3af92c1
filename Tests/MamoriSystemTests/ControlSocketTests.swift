// Primary responsibilities: the control protocol — parsing of every command and of bad lines, the
// `ok` / `error:` framing, and the unix socket itself: mode 0660, a stale file replaced, a live one
// or a non-socket refused, the file removed at stop.

import DNSWire
import Foundation
import Logging
import MamoriControl
import MamoriSystem
import SocketTestKit
import Synchronization
import Testing

/// A handler that records the commands it gets and answers from a script.
private final class RecordingHandler: ControlHandler {
    /// Commands received.
    let received = Mutex<[ControlCommand]>([])

    func perform(_ command: ControlCommand) -> ControlReply {
        received.withLock { $0.append(command) }
        if case .ntaRemove = command { return .error("no negative trust anchor for that\nname") }
        return .ok(["did \(command)", "second line"])
    }
}

/// A fresh path for a socket in the temporary directory.
private func socketPath() -> String { NSTemporaryDirectory() + "mamori-ctl-\(UUID().uuidString.prefix(8)).sock" }

/// Sends `text` to the unix socket at `path`; the whole answer, nil when nothing listens.
private func exchange(_ text: String, path: String) -> String? {
    guard let client = try? ClientSocket(unixPath: path) else { return nil }
    client.send(Array(text.utf8))
    return client.readToEnd()
}

@Suite("Control socket")
struct ControlSocketTests {
    @Test("every command parses; bad lines say what is wrong")
    func parsing() throws {
        let name = DomainName("example.com")
        let good: [(String, ControlCommand)] = [
            ("status", .status), ("stats", .stats), ("reload", .reload), ("anchors", .anchors),
            ("flush all", .flushAll), ("flush name example.com", .flushName(name)),
            ("flush  zone\texample.com", .flushZone(name)), ("flush infra", .flushInfrastructure),
            ("nta list", .ntaList), ("nta add example.com", .ntaAdd(name, seconds: nil)),
            ("nta add example.com 3600", .ntaAdd(name, seconds: 3600)), ("nta remove example.com", .ntaRemove(name)),
            ("lookup example.com", .lookup(name, .a, checkingDisabled: false)),
            ("lookup example.com aaaa", .lookup(name, .aaaa, checkingDisabled: false)),
            ("lookup example.com DS cd", .lookup(name, .ds, checkingDisabled: true)),
            ("lookup example.com CD", .lookup(name, .a, checkingDisabled: true)),
        ]
        for (line, command) in good { #expect(try ControlCommand(line: line) == command, "\(line)") }
        let bad: [(String, String)] = [
            ("", "empty command"), ("shutdown", "unknown command shutdown"), ("status now", "unexpected now"),
            ("flush", "flush takes"), ("flush name", "needs a domain name"), ("flush zone a..b", "not a domain name"),
            ("nta add example.com 0", "1–604800"), ("nta add example.com 604801", "1–604800"),
            ("nta add example.com soon", "not soon"), ("nta", "nta takes"), ("flush all now", "unexpected now"),
            ("lookup", "needs a domain name"), ("lookup example.com NOPE", "NOPE is not a record type"),
            ("lookup example.com A AAAA", "lookup takes NAME [TYPE] [cd]"),
        ]
        for (line, message) in bad {
            #expect(throws: ControlError.self, "\(line)") { try ControlCommand(line: line) }
            do {
                _ = try ControlCommand(line: line)
            } catch {
                #expect(error.description.contains(message), "\(line): \(error)")
            }
        }
    }

    @Test("over the socket: ok and lines, error: and one line; mode 0660; the file goes at stop")
    func socketExchange() throws {
        let path = socketPath()
        let handler = RecordingHandler()
        let control = try ControlSocket(path: path, handler: handler, logger: Logger(label: "test"))
        control.start()
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o660)
        #expect(exchange("flush name example.com\n", path: path) == "ok\ndid flushName(example.com.)\nsecond line\n")
        #expect(exchange("nta remove example.com\r\n", path: path) == "error: no negative trust anchor for that name\n")
        #expect(exchange("launch\n", path: path)?.hasPrefix("error: unknown command launch") == true)
        #expect(exchange(String(repeating: "x", count: 5000), path: path) == "error: request line too long\n")
        #expect(handler.received.withLock { $0.count } == 2)
        control.stop()
        for _ in 0..<100 where access(path, F_OK) == 0 { usleep(10_000) }
        #expect(access(path, F_OK) != 0)
    }

    @Test("a stale socket file is replaced; a live socket and a non-socket file are refused and kept")
    func existingFiles() throws {
        let path = socketPath()
        // A stale socket: bound, then its owner went away without removing it.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(stale)
        let first = try ControlSocket(path: path, handler: RecordingHandler(), logger: Logger(label: "test"))
        first.start()
        #expect(exchange("status\n", path: path)?.hasPrefix("ok\n") == true)
        #expect(throws: SocketError.self) {
            _ = try ControlSocket(path: path, handler: RecordingHandler(), logger: Logger(label: "test"))
        }
        #expect(exchange("status\n", path: path)?.hasPrefix("ok\n") == true)  // the first one still serves
        first.stop()

        let file = socketPath()
        try "not a socket".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: SocketError.self) {
            _ = try ControlSocket(path: file, handler: RecordingHandler(), logger: Logger(label: "test"))
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "not a socket")
        unlink(file)
    }

    @Test("hostile bytes: random requests get an error or a closed connection, and the socket keeps serving")
    func hostile() throws {
        let path = socketPath()
        let control = try ControlSocket(path: path, handler: RecordingHandler(), logger: Logger(label: "test"))
        control.start()
        defer { control.stop() }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            if round % 2 == 0 { bytes.append(UInt8(ascii: "\n")) }
            let client = try ClientSocket(unixPath: path)
            client.send(bytes)
            shutdown(client.descriptor, Int32(SHUT_WR))
            let answer = client.readToEnd()
            #expect(answer.isEmpty || answer.hasPrefix("error: ") || answer.hasPrefix("ok\n"), "\(answer)")
        }
        #expect(exchange("status\n", path: path)?.hasPrefix("ok\n") == true)
    }
}
