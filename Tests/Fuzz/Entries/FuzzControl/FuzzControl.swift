// Primary responsibilities: the libFuzzer entry point of the control target; the property is
// ControlFuzzing's (Tests/Fuzz/Harness), which FuzzHarnessTests replays over corpus-control.

import FuzzHarness

/// The fuzzer's entry point (libFuzzer's `LLVMFuzzerTestOneInput` contract).
/// - Returns: always 0, so that every input may be kept in the corpus.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzInput.trap(on: ControlFuzzing.failure(FuzzInput.bytes(data, size)))
    return 0
}
