// Primary responsibilities: the property the control-protocol fuzz target checks — any bytes a
// client sends are either an incomplete request or get exactly one reply, `ok` with the handler's
// lines or one `error:` line, and a command that parses reads the same when written back the way
// mamorictl writes it.

import DNSWire
import MamoriControl
import MamoriSystem
import Synchronization

/// Checks the control socket's request handling (`ControlSocket.response(to:handler:)`) and the
/// command-line parser (`ControlCommand(line:)`).
///
/// The commands themselves are carried out by the daemon (`mamorid`'s Control.swift) over a running
/// engine and listeners; here a stand-in handler records what it was asked and answers with lines
/// that contain a newline, so the reply's framing is checked too.
package enum ControlFuzzing {
    /// Longest request line the socket waits for; the same bound as `ControlSocket.maxLineBytes`.
    static let maxLineBytes = 4096

    /// Feeds `input` to the control protocol as everything a client sent and checks the reply.
    /// - Parameter input: untrusted bytes.
    /// - Returns: what is wrong, or nil when the property holds.
    package static func failure(_ input: [UInt8]) -> String? {
        let handler = RecordingHandler()
        let reply = ControlSocket.response(to: input, handler: handler)
        let performed = handler.performed
        guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else {
            if input.count > maxLineBytes, reply == nil { return "an overlong line without a newline got no reply" }
            if input.count <= maxLineBytes, reply != nil { return "an incomplete line got a reply" }
            if performed != nil { return "an incomplete line was carried out" }
            return nil
        }
        guard let reply else { return "a complete line got no reply" }
        guard reply.last == UInt8(ascii: "\n") else { return "the reply does not end with a newline" }
        let lines = reply.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let command = performed else {
            guard lines.count == 1, lines[0].starts(with: Array("error: ".utf8)) else {
                return "a refused line did not get one error line: \(String(decoding: reply, as: UTF8.self))"
            }
            return nil
        }
        guard lines.count == RecordingHandler.replyLines.count + 1, lines[0].elementsEqual("ok".utf8) else {
            return "a command's reply is not ok and its lines, one each: \(String(decoding: reply, as: UTF8.self))"
        }
        // The command came from the first line; written back it must parse to the same command.
        let line = String(decoding: input[..<newline], as: UTF8.self)
        let written = command.line
        do {
            let again = try ControlCommand(line: written)
            guard again == command else { return "\"\(line)\" is \(command), but \"\(written)\" is \(again)" }
        } catch {
            return "\"\(line)\" is \(command), but \"\(written)\" does not parse: \(error)"
        }
        return nil
    }

    /// A handler that remembers the command it was given and answers with ``replyLines``.
    final class RecordingHandler: ControlHandler {
        /// The reply's lines: the second holds a newline, which must not split it.
        static let replyLines = ["done", "a line with\na newline inside"]
        /// The command carried out, if any.
        private let command = Mutex<ControlCommand?>(nil)

        /// The command carried out, if any.
        var performed: ControlCommand? { command.withLock { $0 } }

        /// Records `command` and answers ``replyLines``.
        func perform(_ command: ControlCommand) -> ControlReply {
            self.command.withLock { $0 = command }
            return .ok(Self.replyLines)
        }
    }
}
