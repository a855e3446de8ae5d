import Foundation

/// How tokens are spread over the experts of an MoE layer.
public enum Routing: Sendable, Equatable {
    /// Every expert receives the same share (the expectation under balanced routing).
    case uniform
    /// Expert `i` (from 1) receives a share proportional to `1 / i^s`.
    case zipf(Double)
    /// Measured relative loads, one per expert (normalized before use).
    case measured([Double])

    /// Parses `uniform`, `zipf:S` or `measured` (with the loads supplied by the caller).
    public static func parse(_ text: String, measuredLoads: () throws(SimulatorError) -> [Double]) throws(SimulatorError) -> Routing {
        if text == "uniform" { return .uniform }
        if text == "measured" { return .measured(try measuredLoads()) }
        if text.hasPrefix("zipf:"), let s = Double(text.dropFirst(5)), s.isFinite, s >= 0 { return .zipf(s) }
        throw SimulatorError(source: "--routing", "'\(text)' is not uniform, zipf:S (S ≥ 0) or measured")
    }

    /// Mean tokens each expert receives when `tokens` tokens each pick `topK` of `experts` experts.
    ///
    /// Counts are expectations (fractional); no expert receives more than `tokens` (a token picks an
    /// expert at most once), with the excess spread over the others.
    public func tokensPerExpert(tokens: Double, experts: Int, topK: Int) -> [Double] {
        var w: [Double]
        switch self {
        case .uniform: w = Array(repeating: 1, count: experts)
        case .zipf(let s): w = (1...experts).map { 1 / pow(Double($0), s) }
        case .measured(let loads):
            w = (0..<experts).map { $0 < loads.count ? max(0, loads[$0]) : 0 }
            if w.reduce(0, +) <= 0 { w = Array(repeating: 1, count: experts) }
        }
        let total = tokens * Double(topK)
        var counts = Array(repeating: 0.0, count: experts)
        var free = Array(0..<experts)
        var remaining = total
        // Water-fill: cap each expert at `tokens`, redistribute the rest proportionally.
        while remaining > 1e-9 && !free.isEmpty {
            let sum = free.reduce(0.0) { $0 + w[$1] }
            guard sum > 0 else { break }
            var capped: [Int] = []
            var used = 0.0
            for i in free {
                let add = remaining * w[i] / sum
                let room = tokens - counts[i]
                if add >= room { counts[i] = tokens; used += room; capped.append(i) } else { counts[i] += add; used += add }
            }
            remaining -= used
            if capped.isEmpty { break }
            free.removeAll { capped.contains($0) }
        }
        return counts
    }

    /// A short label for reports.
    public var label: String {
        switch self {
        case .uniform: return "uniform"
        case .zipf(let s): return "zipf:\(s)"
        case .measured: return "measured"
        }
    }
}
