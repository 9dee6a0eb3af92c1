// Primary responsibilities: the libFuzzer entry point for the DNSWire codec. It feeds arbitrary
// bytes to the message parser and, when they parse, checks that serialising and parsing again gives
// the same value (parse ∘ serialise is the identity on decoded values). A trap is a finding.
//
// Built by Tests/Fuzz/build.sh as the fuzz-dnswire executable; the same property
// is replayed over the seed corpus by DNSWireTests' FuzzCorpusTests, without libFuzzer.

import DNSWire

/// The fuzzer's entry point (libFuzzer's `LLVMFuzzerTestOneInput` contract).
///
/// - Parameters:
///   - data: the input bytes, owned by libFuzzer for the duration of the call.
///   - size: the number of input bytes.
/// - Returns: always 0, so that every input may be kept in the corpus.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    checkRoundTrip(bytes)
    return 0
}

/// Parses `bytes`; when they form a message, serialises it and parses the result, and traps unless
/// the two decoded values are equal. Malformed input that throws is fine: only traps are findings.
/// - Parameter bytes: untrusted input.
func checkRoundTrip(_ bytes: [UInt8]) {
    guard let message = try? Message(parsing: bytes) else { return }
    let serialised: [UInt8]
    do {
        serialised = try message.serialized()
    } catch {
        preconditionFailure("a parsed message failed to serialise: \(error)")
    }
    let reparsed: Message
    do {
        reparsed = try Message(parsing: serialised)
    } catch {
        preconditionFailure("a serialised message failed to parse: \(error)")
    }
    precondition(reparsed == message, "round trip changed the message:\n\(message)\n\(reparsed)")
    // A second serialisation is stable: the codec's own output is a fixed point.
    let again = try? reparsed.serialized()
    precondition(again == serialised, "serialising a reparsed message changed its bytes")
}
