// Primary responsibilities: what every libFuzzer entry point does with its input — copy libFuzzer's
// bytes and trap with the check's complaint — so that each entry is one line and each check is a
// plain function the corpus replay tests call too.

/// The bridge between libFuzzer's C contract and a check that returns its complaint.
package enum FuzzInput {
    /// Copies libFuzzer's input.
    /// - Parameters:
    ///   - data: the input bytes, owned by libFuzzer for the duration of the call; nil when empty.
    ///   - size: the number of input bytes.
    /// - Returns: the bytes.
    package static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// Traps with `failure` when there is one: a trap is what libFuzzer records as a finding.
    /// `fatalError` keeps its message in optimised builds, where `precondition` drops it.
    /// - Parameter failure: the check's complaint, or nil when the input passed.
    package static func trap(on failure: String?) {
        if let failure { fatalError(failure) }
    }
}
