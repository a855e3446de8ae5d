/// Deterministic, locale-independent number formatting for chart text and SVG coordinates.
///
/// Every routine builds its digits from integer arithmetic, so the same `Double` always
/// gives the same characters on every platform and locale; nothing here uses
/// `String(format:)` or a `NumberFormatter`.
public enum ChartNumberFormat {
    /// The largest number of digits after the decimal point any routine writes.
    public static let maxDecimals = 12

    /// Formats `value` with exactly `decimals` digits after the point, rounding half away from zero.
    ///
    /// `decimals` is clamped to `0...maxDecimals`. Non-finite values give `"NaN"`, `"inf"` or `"-inf"`;
    /// a value that rounds to zero never keeps a minus sign. Magnitudes too large for exact integer
    /// digits (about 9e15 after scaling) fall back to ``scientific(_:significant:)``.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        let d = min(max(decimals, 0), maxDecimals)
        let scaled = (abs(value) * powerOfTen(d)).rounded(.toNearestOrAwayFromZero)
        if scaled >= 9.0e15 { return scientific(value, significant: 15) }
        let n = UInt64(scaled)
        var digits = String(n)
        if d > 0 {
            if digits.count <= d {
                digits = String(repeating: "0", count: d - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -d))
        }
        return (value < 0 && n != 0) ? "-" + digits : digits
    }

    /// Formats `value` with at most `maxDecimals` digits after the point, dropping trailing zeros
    /// and a trailing point (`2.50` becomes `"2.5"`, `3.00` becomes `"3"`).
    public static func trimmed(_ value: Double, maxDecimals: Int) -> String {
        trimZeros(fixed(value, decimals: maxDecimals))
    }

    /// Formats an SVG coordinate or length: at most two decimals, trailing zeros dropped.
    public static func coordinate(_ value: Double) -> String {
        trimmed(value, maxDecimals: 2)
    }

    /// Formats `value` rounded to `significant` significant digits (at least 1), in plain
    /// decimal notation with trailing zeros dropped (`0.012345` with 3 digits is `"0.0123"`,
    /// `123456` is `"123000"`).
    public static func significant(_ value: Double, digits significant: Int) -> String {
        guard value.isFinite else { return fixed(value, decimals: 0) }
        if value == 0 { return "0" }
        let sig = max(significant, 1)
        let e = decimalExponent(value)
        if e >= sig {
            let unit = powerOfTen(e - sig + 1)
            return fixed((value / unit).rounded(.toNearestOrAwayFromZero) * unit, decimals: 0)
        }
        return trimmed(value, maxDecimals: min(sig - 1 - e, maxDecimals))
    }

    /// Formats `value` as `mantissa` `e` `exponent` with `significant` significant digits and
    /// trailing zeros dropped, for example `"2.5e-4"` or `"1e9"`.
    public static func scientific(_ value: Double, significant: Int) -> String {
        guard value.isFinite else { return fixed(value, decimals: 0) }
        if value == 0 { return "0" }
        var e = decimalExponent(value)
        let decimals = min(max(significant - 1, 0), maxDecimals)
        var mantissa = roundTo(value / powerOfTen(e), decimals: decimals)
        if abs(mantissa) >= 10 {
            e += 1
            mantissa = roundTo(value / powerOfTen(e), decimals: decimals)
        }
        return trimmed(mantissa, maxDecimals: decimals) + "e" + String(e)
    }

    /// The SI prefixes used by ``si(_:significant:unit:)``, from femto (1e-15) to exa (1e18).
    public static let siPrefixes: [(exponent: Int, symbol: String)] = [
        (-15, "f"), (-12, "p"), (-9, "n"), (-6, "\u{00B5}"), (-3, "m"), (0, ""),
        (3, "k"), (6, "M"), (9, "G"), (12, "T"), (15, "P"), (18, "E"),
    ]

    /// Formats `value` with an SI prefix and `significant` significant digits, trailing zeros
    /// dropped: `1e12` gives `"1 T"`, `4.8e12` with unit `"B/s"` gives `"4.8 TB/s"`, `100` gives
    /// `"100"` (or `"100 B/s"` with a unit), `0.002` gives `"2 m"`.
    ///
    /// Zero gives `"0"` followed by `" " + unit` when a unit is given.
    public static func si(_ value: Double, significant: Int = 3, unit: String = "") -> String {
        guard value.isFinite, value != 0 else {
            let number = fixed(value, decimals: 0)
            return unit.isEmpty ? number : number + " " + unit
        }
        let e = decimalExponent(value)
        var index = prefixIndex(forExponent: e)
        var mantissaText = significantMantissa(value, prefixIndex: index, significant: significant)
        // Rounding can carry into the next prefix: 999.96 k with 3 digits is 1 M, not "1000 k".
        if let m = Double(mantissaText), abs(m) >= 1000, index + 1 < siPrefixes.count {
            index += 1
            mantissaText = significantMantissa(value, prefixIndex: index, significant: significant)
        }
        let suffix = siPrefixes[index].symbol + unit
        return suffix.isEmpty ? mantissaText : mantissaText + " " + suffix
    }

    /// Ten to the power `exponent`, computed by exact multiplication (and one correctly rounded
    /// division for negative exponents), so it is identical on every platform.
    public static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(abs(exponent), 400) { result *= 10 }
        return exponent >= 0 ? result : 1.0 / result
    }

    /// The integer `e` with `10^e <= |value| < 10^(e+1)`, for finite non-zero `value`; 0 otherwise.
    public static func decimalExponent(_ value: Double) -> Int {
        let a = abs(value)
        guard a.isFinite, a > 0 else { return 0 }
        var e = Int((log10Estimate(a)).rounded(.down))
        while e > -330, powerOfTen(e) > a { e -= 1 }
        while e < 330, powerOfTen(e + 1) <= a { e += 1 }
        return e
    }

    // MARK: - Private helpers

    private static func log10Estimate(_ a: Double) -> Double {
        // The binary exponent gives log10 to within one; decimalExponent corrects it exactly.
        Double(a.exponent) * 0.30102999566398120
    }

    private static func roundTo(_ value: Double, decimals: Int) -> Double {
        let scale = powerOfTen(decimals)
        return (value * scale).rounded(.toNearestOrAwayFromZero) / scale
    }

    private static func prefixIndex(forExponent e: Int) -> Int {
        var best = 0
        for (i, p) in siPrefixes.enumerated() where p.exponent <= e { best = i }
        return best
    }

    private static func significantMantissa(_ value: Double, prefixIndex: Int, significant: Int) -> String {
        let mantissa = value / powerOfTen(siPrefixes[prefixIndex].exponent)
        return ChartNumberFormat.significant(mantissa, digits: significant)
    }

    private static func trimZeros(_ text: String) -> String {
        guard text.contains("."), !text.contains("e") else { return text }
        var t = Substring(text)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }
}
