/// A plain-text table with aligned columns, for terminal output.
public struct TextTable: Sendable {
    /// Column headers.
    public var headers: [String]
    /// Rows of cells.
    public var rows: [[String]] = []
    /// Columns aligned right (numbers).
    public var rightAligned: Set<Int>

    /// Creates a table; columns after the first are right-aligned by default.
    public init(headers: [String], rightAligned: Set<Int>? = nil) {
        self.headers = headers
        self.rightAligned = rightAligned ?? Set(1..<max(1, headers.count))
    }

    /// Adds a row.
    public mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table as text.
    public func rendered() -> String {
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, w) in widths.enumerated() {
                let c = i < cells.count ? cells[i] : ""
                let padding = String(repeating: " ", count: w - c.count)
                parts.append(rightAligned.contains(i) ? padding + c : c + padding)
            }
            return parts.joined(separator: "  ")
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}

/// Fixed-precision number formatting without locale effects.
public enum NumberText {
    /// `value` with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (abs(value) * p).rounded()
        let neg = value < 0 && r > 0
        let whole = Int64(r / p)
        let frac = Int64(r - Double(whole) * p)
        var s = String(whole)
        if digits > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return neg ? "-" + s : s
    }

    /// A duration with a unit chosen for readability (s, ms, µs).
    public static func duration(_ s: Double) -> String {
        if s >= 1 { return fixed(s, 3) + " s" }
        if s >= 1e-3 { return fixed(s * 1e3, 2) + " ms" }
        return fixed(s * 1e6, 1) + " µs"
    }

    /// A percentage of a total.
    public static func percent(_ part: Double, of total: Double) -> String {
        total > 0 ? fixed(100 * part / total, 1) + "%" : "-"
    }
}
