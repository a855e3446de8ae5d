import Foundation

/// One chart axis: its scale, its domain and its tick values, plus the tick-generation helpers.
///
/// Linear axes use "nice" ticks whose step is 1, 2 or 5 times a power of ten and whose first and
/// last ticks enclose the data, which also become the domain ends. Logarithmic axes span whole
/// decades and put major ticks on powers of ten (every decade, or every second, third, ... decade
/// when the span is wide), with unlabeled minor ticks at 2...9 times each decade when few decades
/// are shown.
public struct ChartAxis: Sendable, Equatable {
    /// How data values map onto the axis.
    public enum Scale: Sendable, Equatable {
        /// Positions proportional to the value.
        case linear
        /// Positions proportional to log10 of the value; only positive values can be shown.
        case logarithmic
    }

    /// How tick values are written.
    public enum LabelStyle: Sendable, Equatable {
        /// Plain decimals (`0.25`, `1500`), switching to scientific notation (`2e-5`, `1.5e7`)
        /// for very small or very large magnitudes.
        case plain
        /// Numbers with SI prefixes and no unit (`500 m`, `1 k`, `100 G`, `1 T`).
        case si
    }

    /// The axis scale.
    public var scale: Scale
    /// The lowest value shown (the axis start).
    public var lower: Double
    /// The highest value shown (the axis end).
    public var upper: Double
    /// The labeled tick values, ascending, all within `lower...upper`.
    public var ticks: [Double]
    /// Unlabeled minor tick values (log axes only; empty otherwise), ascending.
    public var minorTicks: [Double]
    /// How tick labels are written.
    public var labelStyle: LabelStyle

    /// Creates an axis from explicit parts; most callers use ``linear(dataMin:dataMax:targetTickCount:includeZero:labelStyle:)``
    /// or ``logarithmic(dataMin:dataMax:maxTickCount:labelStyle:)`` instead.
    public init(
        scale: Scale, lower: Double, upper: Double, ticks: [Double],
        minorTicks: [Double] = [], labelStyle: LabelStyle = .plain
    ) {
        self.scale = scale
        self.lower = lower
        self.upper = upper
        self.ticks = ticks
        self.minorTicks = minorTicks
        self.labelStyle = labelStyle
    }

    /// A linear axis whose nice ticks enclose `dataMin...dataMax`.
    ///
    /// A zero-width range is widened (by 10% of the value, or to `-1...1` around zero); non-finite
    /// bounds give the axis `0...1`. With `includeZero`, the range is first extended to reach zero.
    public static func linear(
        dataMin: Double, dataMax: Double, targetTickCount: Int = 6,
        includeZero: Bool = false, labelStyle: LabelStyle = .plain
    ) -> ChartAxis {
        var lo = min(dataMin, dataMax), hi = max(dataMin, dataMax)
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let nice = niceTicks(min: lo, max: hi, targetCount: targetTickCount)
        return ChartAxis(
            scale: .linear, lower: nice.ticks.first ?? lo, upper: nice.ticks.last ?? hi,
            ticks: nice.ticks, labelStyle: labelStyle)
    }

    /// A logarithmic axis spanning whole decades that enclose `dataMin...dataMax`.
    ///
    /// Both bounds must be positive and finite; otherwise the axis is `1...10`. A single value on a
    /// power of ten gets one decade on each side. At most `maxTickCount` decades are labeled: wider
    /// spans label every second, third, ... decade.
    public static func logarithmic(
        dataMin: Double, dataMax: Double, maxTickCount: Int = 8,
        labelStyle: LabelStyle = .plain
    ) -> ChartAxis {
        var lo = min(dataMin, dataMax), hi = max(dataMin, dataMax)
        if !(lo > 0 && lo.isFinite && hi.isFinite) { lo = 1; hi = 10 }
        var e0 = ChartNumberFormat.decimalExponent(lo)
        var e1 = ChartNumberFormat.decimalExponent(hi)
        if ChartNumberFormat.powerOfTen(e1) < hi { e1 += 1 }
        if e0 == e1 { e0 -= 1; e1 += 1 }
        let major = decadeTicks(fromExponent: e0, toExponent: e1, maxCount: maxTickCount)
        var minor: [Double] = []
        if e1 - e0 <= 8, major.count == e1 - e0 + 1 {
            for e in e0..<e1 {
                let decade = ChartNumberFormat.powerOfTen(e)
                for m in 2...9 { minor.append(Double(m) * decade) }
            }
        }
        return ChartAxis(
            scale: .logarithmic, lower: ChartNumberFormat.powerOfTen(e0),
            upper: ChartNumberFormat.powerOfTen(e1), ticks: major, minorTicks: minor,
            labelStyle: labelStyle)
    }

    /// Nice linear ticks for `min...max`: the step is 1, 2 or 5 times a power of ten, chosen so that
    /// about `targetCount` ticks (at least 2) cover the range; the first tick is `<= min` and the
    /// last `>= max`.
    ///
    /// Tick values are computed as integer multiples of the step, so `0.1 + 0.2`-style drift never
    /// appears. A zero-width or non-finite range gives a single tick (or none).
    public static func niceTicks(min: Double, max: Double, targetCount: Int = 6) -> (step: Double, ticks: [Double]) {
        guard min.isFinite, max.isFinite else { return (0, []) }
        let lo = Swift.min(min, max), hi = Swift.max(min, max)
        if lo == hi { return (0, [lo]) }
        let intervals = Double(Swift.max(targetCount, 2) - 1)
        let raw = (hi - lo) / intervals
        var exponent = ChartNumberFormat.decimalExponent(raw)
        let base = ChartNumberFormat.powerOfTen(exponent)
        var mantissa: Double
        switch raw / base {
        case ...1.0: mantissa = 1
        case ...2.0: mantissa = 2
        case ...5.0: mantissa = 5
        default: mantissa = 1; exponent += 1
        }
        let step =
            exponent >= 0
            ? mantissa * ChartNumberFormat.powerOfTen(exponent)
            : mantissa / ChartNumberFormat.powerOfTen(-exponent)
        func value(_ k: Double) -> Double {
            exponent >= 0
                ? k * mantissa * ChartNumberFormat.powerOfTen(exponent)
                : k * mantissa / ChartNumberFormat.powerOfTen(-exponent)
        }
        // Small tolerance so a bound sitting on a tick (up to rounding) does not add an extra step.
        let first = ((lo / step) + 1e-9).rounded(.down)
        let last = ((hi / step) - 1e-9).rounded(.up)
        var ticks: [Double] = []
        var k = first
        while k <= last, ticks.count < 1000 {
            ticks.append(value(k) == 0 ? 0 : value(k))
            k += 1
        }
        return (step, ticks)
    }

    /// Powers of ten from `10^fromExponent` to `10^toExponent`, every `stride`-th decade where
    /// `stride` is the smallest that keeps the count at or below `maxCount` (both ends included
    /// when the stride divides the span).
    public static func decadeTicks(fromExponent: Int, toExponent: Int, maxCount: Int = 8) -> [Double] {
        guard toExponent >= fromExponent else { return [] }
        let span = toExponent - fromExponent
        var stride = 1
        while span / stride + 1 > Swift.max(maxCount, 2) { stride += 1 }
        // Anchor on multiples of the stride so that 10^0 is a tick whenever it is in range.
        var e = fromExponent
        while e % stride != 0 { e += 1 }
        var ticks: [Double] = []
        while e <= toExponent {
            ticks.append(ChartNumberFormat.powerOfTen(e))
            e += stride
        }
        return ticks
    }

    /// True when `value` can be drawn on this axis: finite, and positive on a logarithmic axis.
    public func accepts(_ value: Double) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    /// The position of `value` along the axis as a fraction: 0 at `lower`, 1 at `upper` (values
    /// outside the domain give fractions outside `0...1`).
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear:
            return upper == lower ? 0.5 : (value - lower) / (upper - lower)
        case .logarithmic:
            let l = log10Value(lower), u = log10Value(upper)
            return u == l ? 0.5 : (log10Value(value) - l) / (u - l)
        }
    }

    /// The label text for one tick value, in this axis's ``LabelStyle``; the precision comes from
    /// the tick spacing so that neighboring labels always differ.
    public func label(for value: Double) -> String {
        if scale == .logarithmic {
            switch labelStyle {
            case .si: return ChartNumberFormat.si(value, significant: 3)
            case .plain:
                // Plain decimals while every tick fits in 0.001...100000; otherwise keep 0.1...100
                // plain and write the rest as 1e3, 1e-2, ... so that the style stays uniform.
                let e = ChartNumberFormat.decimalExponent(value)
                let exponents = ticks.map { ChartNumberFormat.decimalExponent($0) }
                let allPlain = exponents.allSatisfy { (-3...5).contains($0) }
                let plainRange = allPlain ? -3...5 : -1...2
                return plainRange.contains(e)
                    ? ChartNumberFormat.significant(value, digits: 3)
                    : ChartNumberFormat.scientific(value, significant: 3)
            }
        }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : 0
        // Ticks are k × step, so their difference can fall a hair below the step (0.0999… for 0.1).
        let stepExponent = step > 0 ? ChartNumberFormat.decimalExponent(step * (1 + 1e-9)) : 0
        if value == 0 { return "0" }
        let maxAbs = ticks.map(abs).max() ?? abs(value)
        switch labelStyle {
        case .si:
            let e = ChartNumberFormat.decimalExponent(value)
            let prefixExponent = Int((Double(e) / 3).rounded(.down)) * 3
            let digits = step > 0 ? Swift.max(e - stepExponent + 1, 1) : 3
            return ChartNumberFormat.si(value, significant: Swift.max(digits, e - prefixExponent + 1))
        case .plain:
            if maxAbs >= 1e6 || maxAbs < 1e-3 {
                let e = ChartNumberFormat.decimalExponent(value)
                let digits = step > 0 ? Swift.max(e - stepExponent + 1, 1) : 3
                return ChartNumberFormat.scientific(value, significant: digits)
            }
            return ChartNumberFormat.fixed(value, decimals: Swift.max(0, -stepExponent))
        }
    }

    /// The labels of all ``ticks``, in order.
    public var tickLabels: [String] { ticks.map { label(for: $0) } }

    private func log10Value(_ v: Double) -> Double {
        v > 0 ? log10(v) : -.infinity
    }
}
