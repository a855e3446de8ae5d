import Foundation
import Yams

/// A parsed YAML (or JSON) mapping with typed, validating accessors.
///
/// Every accessor throws a ``SimulatorError`` that names the file, the dotted key path and the bad value,
/// so a config error is always one line a user can act on.
public struct ConfigNode: @unchecked Sendable {
    /// The file the node came from, for error messages.
    public let source: String
    /// The dotted path of this node inside the file (empty at the top level).
    public let path: String
    /// The raw mapping.
    public let values: [String: Any]

    /// Wraps a mapping read from `source` at key path `path`.
    public init(source: String, path: String = "", values: [String: Any]) {
        self.source = source
        self.path = path
        self.values = values
    }

    /// Reads and parses a YAML file whose top level must be a mapping.
    public static func load(file: String) throws(SimulatorError) -> ConfigNode {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw SimulatorError(source: file, "cannot read file (\(Self.reason(error)))")
        }
        return try parse(yaml: text, source: file)
    }

    /// Parses YAML text whose top level must be a mapping.
    public static func parse(yaml text: String, source: String) throws(SimulatorError) -> ConfigNode {
        let object: Any?
        do {
            object = try Yams.load(yaml: text)
        } catch {
            let first = String(describing: error).split(separator: "\n").first.map(String.init) ?? "syntax error"
            throw SimulatorError(source: source, "not valid YAML (\(first))")
        }
        guard let map = object as? [String: Any] else {
            throw SimulatorError(source: source, "not a YAML mapping of keys to values")
        }
        return ConfigNode(source: source, values: map)
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    /// The dotted key path of `key` below this node.
    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the mapping has `key` with a non-null value.
    public func has(_ key: String) -> Bool {
        guard let v = values[key] else { return false }
        return !(v is NSNull)
    }

    func fail(_ key: String, _ message: String) -> SimulatorError {
        SimulatorError(source: source, key: keyPath(key), message)
    }

    private func raw(_ key: String) throws(SimulatorError) -> Any {
        guard let v = values[key], !(v is NSNull) else { throw fail(key, "required key is missing") }
        return v
    }

    /// A required number; `positive` rejects zero and negatives, `nonNegative` rejects negatives.
    public func double(_ key: String, positive: Bool = false, nonNegative: Bool = false) throws(SimulatorError) -> Double {
        let v = try raw(key)
        let d: Double
        if let x = v as? Double {
            d = x
        } else if let x = v as? Int {
            d = Double(x)
        } else if let s = v as? String, let x = Double(s.trimmingCharacters(in: .whitespaces)) {
            d = x
        } else {
            throw fail(key, "'\(v)' is not a number")
        }
        guard d.isFinite else { throw fail(key, "'\(v)' is not a finite number") }
        if positive && !(d > 0) { throw fail(key, "must be positive, got \(Self.format(d))") }
        if nonNegative && d < 0 { throw fail(key, "must not be negative, got \(Self.format(d))") }
        return d
    }

    /// An optional number: `nil` when absent or empty.
    public func optionalDouble(_ key: String, positive: Bool = false, nonNegative: Bool = false) throws(SimulatorError) -> Double? {
        guard has(key) else { return nil }
        if let s = values[key] as? String, s.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        return try double(key, positive: positive, nonNegative: nonNegative)
    }

    /// A number with a default when the key is absent.
    public func double(_ key: String, default value: Double, positive: Bool = false, nonNegative: Bool = false) throws(SimulatorError)
        -> Double
    {
        try optionalDouble(key, positive: positive, nonNegative: nonNegative) ?? value
    }

    /// A required integer; `minimum` bounds it from below.
    public func int(_ key: String, minimum: Int? = nil) throws(SimulatorError) -> Int {
        let v = try raw(key)
        let i: Int
        if let x = v as? Int {
            i = x
        } else if let x = v as? Double, x.rounded() == x, abs(x) < 1e15 {
            i = Int(x)
        } else if let s = v as? String, let x = Int(s.trimmingCharacters(in: .whitespaces)) {
            i = x
        } else {
            throw fail(key, "'\(v)' is not an integer")
        }
        if let m = minimum, i < m { throw fail(key, "must be at least \(m), got \(i)") }
        return i
    }

    /// An integer with a default when the key is absent.
    public func int(_ key: String, default value: Int, minimum: Int? = nil) throws(SimulatorError) -> Int {
        has(key) ? try int(key, minimum: minimum) : value
    }

    /// A required string.
    public func string(_ key: String) throws(SimulatorError) -> String {
        let v = try raw(key)
        if let s = v as? String { return s }
        if let i = v as? Int { return String(i) }
        if let d = v as? Double { return Self.format(d) }
        if let b = v as? Bool { return b ? "true" : "false" }
        if let d = v as? Date {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withFullDate]
            return f.string(from: d)
        }
        throw fail(key, "'\(v)' is not a string")
    }

    /// A string with a default when the key is absent.
    public func string(_ key: String, default value: String) throws(SimulatorError) -> String {
        has(key) ? try string(key) : value
    }

    /// A required boolean.
    public func bool(_ key: String) throws(SimulatorError) -> Bool {
        let v = try raw(key)
        if let b = v as? Bool { return b }
        if let s = v as? String {
            switch s.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        throw fail(key, "'\(v)' is not true or false")
    }

    /// A boolean with a default when the key is absent.
    public func bool(_ key: String, default value: Bool) throws(SimulatorError) -> Bool {
        has(key) ? try bool(key) : value
    }

    /// A value of a closed set, parsed from its raw string.
    public func choice<T: RawRepresentable>(_ key: String, as type: T.Type) throws(SimulatorError) -> T where T.RawValue == String {
        let s = try string(key)
        guard let v = T(rawValue: s) else { throw fail(key, "unknown value '\(s)'") }
        return v
    }

    /// A list of strings (a YAML sequence, or one comma-separated string).
    public func strings(_ key: String) throws(SimulatorError) -> [String] {
        let v = try raw(key)
        if let a = v as? [Any] {
            var out: [String] = []
            for (i, e) in a.enumerated() {
                guard let s = e as? String else { throw fail("\(key)[\(i)]", "'\(e)' is not a string") }
                out.append(s)
            }
            return out
        }
        if let s = v as? String {
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        throw fail(key, "'\(v)' is not a list")
    }

    /// A required nested mapping.
    public func node(_ key: String) throws(SimulatorError) -> ConfigNode {
        let v = try raw(key)
        guard let m = v as? [String: Any] else { throw fail(key, "is not a mapping") }
        return ConfigNode(source: source, path: keyPath(key), values: m)
    }

    /// An optional nested mapping.
    public func optionalNode(_ key: String) throws(SimulatorError) -> ConfigNode? {
        has(key) ? try node(key) : nil
    }

    /// A required list of mappings.
    public func nodes(_ key: String) throws(SimulatorError) -> [ConfigNode] {
        let v = try raw(key)
        guard let a = v as? [Any] else { throw fail(key, "is not a list") }
        var out: [ConfigNode] = []
        for (i, e) in a.enumerated() {
            guard let m = e as? [String: Any] else { throw fail("\(key)[\(i)]", "is not a mapping") }
            out.append(ConfigNode(source: source, path: keyPath("\(key)[\(i)]"), values: m))
        }
        return out
    }

    /// Formats a number without locale effects, for messages.
    static func format(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }
}
