import Foundation

/// Leave-one-out cross-validation over trace sets: for each fold (a trace set, or one GPU of a set that spans
/// several), fit the parameters on every other measurement, predict the fold, and compare. The in-sample
/// figures beside them are the given calibration's errors on the same rows.
public struct CrossValidation: Sendable {
    /// Measurements held out together.
    public struct Fold: Sendable, Equatable {
        /// The trace set.
        public var set: String
        /// The GPU, when the set spans several and each is its own fold.
        public var gpu: String?

        /// `set`, or `set/gpu`.
        public var name: String { gpu.map { "\(set)/\($0)" } ?? set }

        /// Whether a measurement belongs to the fold.
        public func contains(_ m: Measurement) -> Bool { m.set == set && (gpu == nil || m.gpu == gpu) }
    }

    /// The errors of one quantity in one fold.
    public struct Row: Sendable {
        public var fold: String
        public var gpu: String
        public var quantity: Measurement.Quantity
        public var count: Int
        /// MAPE (%) under the given (full-data) calibration.
        public var inSampleMAPEPct: Double
        /// MAPE (%) of the prediction from the fit without this fold.
        public var heldOutMAPEPct: Double
        /// For max-batch rows: how many are exact when held out.
        public var heldOutExact: Int?
    }

    /// The folds of a set of measurements, in a stable order.
    public static func folds(_ ms: [Measurement]) -> [Fold] {
        var gpusBySet: [String: [String]] = [:]
        var order: [String] = []
        for m in ms {
            if gpusBySet[m.set] == nil { order.append(m.set) }
            if !(gpusBySet[m.set, default: []].contains(m.gpu)) { gpusBySet[m.set, default: []].append(m.gpu) }
        }
        var out: [Fold] = []
        for s in order.sorted() {
            let gpus = gpusBySet[s]!.sorted()
            if gpus.count > 1 { out += gpus.map { Fold(set: s, gpu: $0) } } else { out.append(Fold(set: s, gpu: nil)) }
        }
        return out
    }

    /// The calibrator that fits each fold's complement.
    public let calibrator: Calibrator

    /// Creates a cross-validation.
    public init(calibrator: Calibrator) { self.calibrator = calibrator }

    /// Runs every fold. `progress` receives a line per fold as it starts.
    public func run(
        _ all: [Measurement], calibration: CalibrationParameters, progress: (String) -> Void = { _ in }
    ) throws -> [Row] {
        // Rows of setups the simulator does not model are neither fitted nor scored.
        let ms = all.filter { $0.notFitted == nil }
        let predictor = calibrator.predictor
        let inSample = try predictor.predict(ms, parameters: calibration)
        var rows: [Row] = []
        let folds = Self.folds(ms)
        for (i, fold) in folds.enumerated() {
            progress("fold \(i + 1)/\(folds.count): fitting without \(fold.name)")
            let rest = ms.filter { !fold.contains($0) }
            let held = ms.indices.filter { fold.contains(ms[$0]) }
            guard !rest.isEmpty, !held.isEmpty else { continue }
            let fitted = try calibrator.fit(rest, start: calibration, description: "without \(fold.name)").parameters
            let heldMs = held.map { ms[$0] }
            let predicted = try predictor.predict(heldMs, parameters: fitted)
            // Per (GPU, quantity), the held-out errors beside the given calibration's on the same rows.
            let key: (Measurement) -> String = { $0.gpu + "|" + $0.quantity.rawValue }
            let heldOut = Validation(measurements: heldMs, predictions: predicted)
            let before = Validation(measurements: heldMs, predictions: held.map { inSample[$0] })
            for (h, b) in zip(heldOut.summaries(by: key), before.summaries(by: key)) {
                let group = heldOut.rows.filter { key($0.measurement) == h.group }
                let first = group[0].measurement
                let exact = first.quantity == .maxBatch ? group.filter { $0.predicted == $0.measurement.value }.count : nil
                rows.append(
                    Row(
                        fold: fold.name, gpu: first.gpu, quantity: first.quantity, count: h.count, inSampleMAPEPct: b.mapePct,
                        heldOutMAPEPct: h.mapePct, heldOutExact: exact))
            }
        }
        return rows
    }
}
