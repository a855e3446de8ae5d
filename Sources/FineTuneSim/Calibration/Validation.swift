import Foundation

/// Predictions against measurements: per row the error, and MAPE and RMSE per trace set, quantity and GPU.
public struct Validation: Sendable {
    /// One compared measurement.
    public struct Row: Sendable {
        public var measurement: Measurement
        public var predicted: Double
        /// (predicted − measured) / measured, in percent.
        public var errorPct: Double { 100 * (predicted - measurement.value) / measurement.value }
    }

    /// A summary over a group of rows.
    public struct Summary: Sendable {
        public var group: String
        public var count: Int
        public var mapePct: Double
        public var rmse: Double
    }

    public var rows: [Row]

    /// Compares.
    public init(measurements: [Measurement], predictions: [Double]) {
        rows = zip(measurements, predictions).map { Row(measurement: $0, predicted: $1) }
    }

    /// Summaries grouped by a key.
    public func summaries(by key: (Measurement) -> String) -> [Summary] {
        var groups: [String: [Row]] = [:]
        for r in rows { groups[key(r.measurement), default: []].append(r) }
        return groups.keys.sorted().map { k in
            let rs = groups[k]!
            let mape = rs.reduce(0) { $0 + abs($1.errorPct) } / Double(rs.count)
            let rmse = (rs.reduce(0) { $0 + pow($1.predicted - $1.measurement.value, 2) } / Double(rs.count)).squareRoot()
            return Summary(group: k, count: rs.count, mapePct: mape, rmse: rmse)
        }
    }

    /// MAPE over every row.
    public var mapePct: Double { rows.isEmpty ? 0 : rows.reduce(0) { $0 + abs($1.errorPct) } / Double(rows.count) }
}

extension Validation {
    /// How often the error bars cover the measurements: for each row, the fit's covariance (finite-difference
    /// gradient over every fitted parameter) plus its residual scatter, at two-sided `confidence`.
    /// Returns the covered fraction and each row's half-width in percent; nil when the parameters carry no fit.
    public static func coverage(
        predictor: Predictor, measurements ms: [Measurement], parameters: CalibrationParameters, confidence: Double = 0.95
    ) throws(SimulatorError) -> (covered: Double, halfWidthPct: [Double])? {
        guard !parameters.covariance.isEmpty else { return nil }
        // Step-level quantities: what `simulate` puts error bars on.
        let timing = ms.filter { [.throughput, .forward, .backward, .optimizer].contains($0.quantity) }
        guard !timing.isEmpty else { return nil }
        let base = try predictor.predict(timing, parameters: parameters)
        let names = parameters.covariance.keys.sorted()
        var gradients: [[Double]] = []
        for n in names {
            var p = parameters
            let h = max(abs(parameters[n]) * 1e-3, 1e-12)
            p[n] = parameters[n] + h
            let shifted = try predictor.predict(timing, parameters: p)
            gradients.append(zip(shifted, base).map { ($0 - $1) / h })
        }
        let uncertainty = Uncertainty(parameters: parameters, confidence: confidence)
        let z = uncertainty.z
        var covered = 0
        var widths: [Double] = []
        for (r, m) in timing.enumerated() {
            let sigma = uncertainty.sigma(value: base[r], gradient: gradients.map { $0[r] }, names: names)
            if abs(m.value - base[r]) <= z * sigma { covered += 1 }
            widths.append(100 * z * sigma / base[r])
        }
        return (Double(covered) / Double(timing.count), widths)
    }
}
