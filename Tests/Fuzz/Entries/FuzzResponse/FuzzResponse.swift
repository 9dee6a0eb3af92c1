// Primary responsibilities: the libFuzzer entry point of the response target. libFuzzer calls it
// synchronously; the property (ResponseFuzzing, Tests/Fuzz/Harness, replayed over corpus-response by
// FuzzHarnessTests) is async, so each input runs as a task that this thread waits for. It cannot
// deadlock: this thread is libFuzzer's, not one of the task pool's, and the scripted network never
// waits for time to pass (its clock is moved, not slept on).

import Dispatch
import FuzzHarness
import Synchronization

/// What the task found, handed to the waiting thread.
final class Outcome: Sendable {
    /// The property's complaint, once the task is done.
    let failure = Mutex<String?>(nil)
}

/// Runs the property on `bytes` in a task and waits for it.
/// - Returns: the property's complaint, or nil.
func check(_ bytes: [UInt8]) -> String? {
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let failure = await ResponseFuzzing.failure(bytes)
        outcome.failure.withLock { $0 = failure }
        done.signal()
    }
    done.wait()
    return outcome.failure.withLock { $0 }
}

/// The fuzzer's entry point (libFuzzer's `LLVMFuzzerTestOneInput` contract).
/// - Returns: always 0, so that every input may be kept in the corpus.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzInput.trap(on: check(FuzzInput.bytes(data, size)))
    return 0
}
