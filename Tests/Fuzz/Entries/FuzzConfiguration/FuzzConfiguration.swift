// Primary responsibilities: the libFuzzer entry point of the configuration target; the property is
// ConfigurationFuzzing's (Tests/Fuzz/Harness), which FuzzHarnessTests replays over corpus-configuration.

import FuzzHarness

/// The fuzzer's entry point (libFuzzer's `LLVMFuzzerTestOneInput` contract).
/// - Returns: always 0, so that every input may be kept in the corpus.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzInput.trap(on: ConfigurationFuzzing.failure(FuzzInput.bytes(data, size)))
    return 0
}
