import Foundation

/// A parsed `config.json` top-level object with typed, error-reporting accessors.
///
/// A key whose value is `null` counts as missing. Errors name the file and the key.
public struct HuggingFaceConfigObject: Sendable {
    /// A JSON value.
    public enum Value: Sendable, Equatable, Decodable {
        case null, bool(Bool), int(Int), double(Double), string(String)
        case array([Value]), object([String: Value])

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int.self) {
                self = .int(i)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([Value].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: Value].self))
            }
        }

        /// The value as written, for messages.
        var shown: String {
            switch self {
            case .null: "null"
            case .bool(let b): "\(b)"
            case .int(let i): "\(i)"
            case .double(let d): "\(d)"
            case .string(let s): "\"\(s)\""
            case .array: "a list"
            case .object: "an object"
            }
        }
    }

    /// Where the config came from (a file path).
    public let source: String
    /// The top-level keys.
    public let values: [String: Value]

    /// Parses JSON whose top level must be an object.
    public init(data: Data, source: String) throws(SimulatorError) {
        self.source = source
        let top: Value
        do {
            top = try JSONDecoder().decode(Value.self, from: data)
        } catch {
            throw SimulatorError(source: source, "not valid JSON")
        }
        guard case .object(let o) = top else {
            throw SimulatorError(source: source, "the top level must be a JSON object, got \(top.shown)")
        }
        values = o
    }

    /// Creates an object from values (tests).
    public init(values: [String: Value], source: String) {
        self.values = values
        self.source = source
    }

    /// An error at `key`.
    public func fail(_ key: String, _ message: String) -> SimulatorError {
        SimulatorError(source: source, key: key, message)
    }

    /// The value at `key`, nil when absent or null.
    public func value(_ key: String) -> Value? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    /// Whether `key` is present and not null.
    public func has(_ key: String) -> Bool { value(key) != nil }

    /// An optional integer at least `minimum`.
    public func optionalInt(_ key: String, minimum: Int = .min) throws(SimulatorError) -> Int? {
        guard let v = value(key) else { return nil }
        let i: Int
        switch v {
        case .int(let x): i = x
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: i = Int(d)
        default: throw fail(key, "must be an integer, got \(v.shown)")
        }
        guard i >= minimum else { throw fail(key, "must be at least \(minimum), got \(i)") }
        return i
    }

    /// A required integer.
    public func int(_ key: String, minimum: Int = .min) throws(SimulatorError) -> Int {
        guard let i = try optionalInt(key, minimum: minimum) else { throw fail(key, "required field is missing") }
        return i
    }

    /// An integer with a default.
    public func int(_ key: String, default d: Int, minimum: Int = .min) throws(SimulatorError) -> Int {
        try optionalInt(key, minimum: minimum) ?? d
    }

    /// A boolean with a default.
    public func bool(_ key: String, default d: Bool) throws(SimulatorError) -> Bool {
        guard let v = value(key) else { return d }
        guard case .bool(let b) = v else { throw fail(key, "must be true or false, got \(v.shown)") }
        return b
    }

    /// An optional string.
    public func optionalString(_ key: String) throws(SimulatorError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "must be a string, got \(v.shown)") }
        return s
    }

    /// A required string.
    public func string(_ key: String) throws(SimulatorError) -> String {
        guard let s = try optionalString(key) else { throw fail(key, "required field is missing") }
        return s
    }

    /// A list of integers (empty when absent).
    public func ints(_ key: String) throws(SimulatorError) -> [Int] {
        guard let v = value(key) else { return [] }
        guard case .array(let a) = v else { throw fail(key, "must be a list of integers, got \(v.shown)") }
        var out: [Int] = []
        for (i, x) in a.enumerated() {
            guard case .int(let n) = x else { throw fail("\(key)[\(i)]", "must be an integer, got \(x.shown)") }
            out.append(n)
        }
        return out
    }
}
