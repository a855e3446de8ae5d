/// An error in the simulator's inputs: a config file, a flag value or a trace.
///
/// Its description is one line that names the file (or flag), the key and the offending value.
public struct SimulatorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the bad input came from: a file path, a flag such as `--batch`, or a trace.
    public var source: String
    /// The key, column or field at fault; empty when the whole input is at fault.
    public var key: String
    /// What is wrong, including the offending value.
    public var message: String

    /// Creates an error naming its source, key and problem.
    public init(source: String, key: String = "", _ message: String) {
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(source): \(message)" : "\(source): \(key): \(message)"
    }
}
