// Primary responsibilities: the service's one error shape — the configuration names something the
// engine cannot use (a root hints or trust-anchor file that is missing or does not parse).

/// The engine cannot be built, or rebuilt at reload, from the configuration: the old one (if any)
/// stays in force, whole.
public struct ServiceError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, naming the file or key.
    public let description: String

    /// Creates an error.
    init(_ description: String) { self.description = description }
}
