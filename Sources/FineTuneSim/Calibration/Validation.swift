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
