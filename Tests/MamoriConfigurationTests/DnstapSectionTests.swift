// Primary responsibilities: the `dnstap` section — off by default, one destination (socket or
// file, a relative path under the configuration's directory), the kinds and envelope texts, and
// every mistake named with file, line and key.

import MamoriConfiguration
import Testing

/// The configuration of `yaml`, read as /etc/mamori/mamori.yaml.
private func parse(_ yaml: String) throws -> Configuration {
    try Configuration(yaml: yaml, file: "/etc/mamori/mamori.yaml", baseDirectory: "/etc/mamori")
}

/// The diagnostics of `yaml`, which must not parse.
private func diagnostics(_ yaml: String) -> [String] {
    do {
        _ = try parse(yaml)
        Issue.record("expected an error for:\n\(yaml)")
        return []
    } catch let error as ConfigurationError {
        return error.diagnostics.map(\.description)
    } catch {
        Issue.record("not a configuration error: \(error)")
        return []
    }
}

@Suite("dnstap section")
struct DnstapSectionTests {
    @Test("absent, or with socket: false, there is no output; every kind is on by default")
    func defaults() throws {
        #expect(try parse("").dnstap == DnstapSection())
        #expect(try parse("dnstap: { socket: false }").dnstap.destination == nil)
        let section = DnstapSection()
        #expect(section.destination == nil && section.identity == nil && section.version == nil)
        #expect(section.clientQueries && section.clientResponses)
        #expect(section.resolverQueries && section.resolverResponses)
    }

    @Test("a socket with identity, version and two kinds off; a relative file under the configuration's directory")
    func everyKey() throws {
        let section = try parse(
            """
            dnstap:
              socket: /run/mamori/dnstap.sock
              identity: resolver-1
              version: test
              client-queries: false
              resolver-responses: no
            """
        ).dnstap
        #expect(section.destination == .socket("/run/mamori/dnstap.sock"))
        #expect(section.identity == "resolver-1" && section.version == "test")
        #expect(!section.clientQueries && section.clientResponses && section.resolverQueries)
        #expect(!section.resolverResponses)
        #expect(try parse("dnstap: { file: tap.fstrm }").dnstap.destination == .file("/etc/mamori/tap.fstrm"))
    }

    @Test("both destinations, a socket path too long, a bad boolean and an unknown key are errors with their place")
    func errors() {
        let long = "/run/" + String(repeating: "s", count: 103)
        #expect(
            diagnostics(
                """
                dnstap:
                  socket: /run/a.sock
                  file: /tmp/b
                """) == [
                    "/etc/mamori/mamori.yaml:3:3: dnstap.file: give one of dnstap.socket and dnstap.file, not both"
                ])
        #expect(
            diagnostics("dnstap:\n  socket: \(long)\n") == [
                "/etc/mamori/mamori.yaml:2:3: dnstap.socket: a unix socket path is at most 107 bytes, got 108"
            ])
        #expect(
            diagnostics("dnstap:\n  client-queries: maybe\n  queue: 5\n") == [
                "/etc/mamori/mamori.yaml:2:3: dnstap.client-queries: expected a boolean, got \"maybe\"",
                "/etc/mamori/mamori.yaml:3:3: dnstap.queue: unknown key",
            ])
    }
}
