// Primary responsibilities: a throw-away certificate authority and server certificate made at test
// time with the openssl command (never committed as files), for the TLS tests.

import Foundation

/// A CA and a server certificate for `dns.test` and 127.0.0.1 signed by it, in a fresh temporary
/// folder, PEM files; another key and self-signed certificate that nothing trusts.
package struct TestCertificates: Sendable {
    /// The folder holding the files.
    package let folder: String
    /// The CA certificate (the bundle a client trusts).
    package var caFile: String { folder + "/ca.pem" }
    /// The server's certificate chain (the server certificate, then the CA).
    package var certificateFile: String { folder + "/server-chain.pem" }
    /// The server's private key.
    package var keyFile: String { folder + "/server.key" }
    /// A key that belongs to no certificate here.
    package var otherKeyFile: String { folder + "/other.key" }
    /// The name in the server certificate.
    package static let serverName = "dns.test"

    /// Makes the files with the openssl command (P-256 keys, valid for a day).
    package init() throws {
        folder = NSTemporaryDirectory() + "mamori-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let extensions = folder + "/server.ext"
        try "subjectAltName=DNS:\(Self.serverName),IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", folder + "/ca.key"],
            [
                "req", "-x509", "-new", "-key", folder + "/ca.key", "-subj", "/CN=Mamori Test CA", "-days", "1",
                "-out", caFile,
            ],
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile],
            ["req", "-new", "-key", keyFile, "-subj", "/CN=\(Self.serverName)", "-out", folder + "/server.csr"],
            [
                "x509", "-req", "-in", folder + "/server.csr", "-CA", caFile, "-CAkey", folder + "/ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", extensions, "-out", folder + "/server.pem",
            ],
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", otherKeyFile],
        ]
        for arguments in steps { try Self.openssl(arguments) }
        let chain =
            try String(contentsOfFile: folder + "/server.pem", encoding: .utf8)
            + String(contentsOfFile: caFile, encoding: .utf8)
        try chain.write(toFile: certificateFile, atomically: true, encoding: .utf8)
    }

    /// The SHA-256 of the server key's SubjectPublicKeyInfo (the pin of RFC 7858 §4.2, RFC 7469
    /// §2.4), by the openssl command, so tests do not check MamoriTLS against itself.
    package func serverKeyPin() throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "openssl pkey -in '\(keyFile)' -pubout -outform der | openssl dgst -sha256 -binary"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    /// Removes the folder.
    package func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `openssl ARGUMENTS`, failing on a non-zero exit.
    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: ["openssl": arguments.joined(separator: " ")])
        }
    }
}
