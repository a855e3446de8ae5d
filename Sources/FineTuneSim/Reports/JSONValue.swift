/// A JSON value with ordered object keys, rendered deterministically (same input, same bytes).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case int(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// Compact (one line) or indented rendering.
    public func rendered(pretty: Bool = true) -> String {
        var out = ""
        write(into: &out, indent: pretty ? 0 : -1)
        return out
    }

    /// Formats a number: integers without a fraction, others in Swift's shortest round-trip form;
    /// non-finite numbers become null.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    private func write(into out: inout String, indent: Int) {
        let nl = indent >= 0 ? "\n" : ""
        let pad = indent >= 0 ? String(repeating: "  ", count: indent + 1) : ""
        let closePad = indent >= 0 ? String(repeating: "  ", count: indent) : ""
        let next = indent >= 0 ? indent + 1 : -1
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += Self.format(d)
        case .int(let i): out += String(i)
        case .string(let s): Self.escape(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, v) in a.enumerated() {
                out += pad
                v.write(into: &out, indent: next)
                out += i == a.count - 1 ? nl : "," + nl
            }
            out += closePad + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{" + nl
            for (i, (k, v)) in o.enumerated() {
                out += pad
                Self.escape(k, into: &out)
                out += indent >= 0 ? ": " : ":"
                v.write(into: &out, indent: next)
                out += i == o.count - 1 ? nl : "," + nl
            }
            out += closePad + "}"
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
