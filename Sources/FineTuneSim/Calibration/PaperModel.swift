import Fitting
import Foundation

/// The paper's own analytical model (Xia et al., IISWC 2024), fitted with GSL on the same measurements,
/// so its error can be shown beside the simulator's. It is a curve fit per model, dataset and GPU.
///
/// - Max batch: `floor(C0 · (mem − model_mem) / (seq · ((1 − C1) + C1 · sparsity)))`, sparsity = top-k / experts,
///   memory in GB, seq the padded maximum length.
/// - Throughput: `C4 + C2 · ln(batch) / (sparsity · C3)`, C3 fixed by hand (1.8 Mixtral, 2.5 BlackMamba).
public struct PaperModel: Sendable {
    /// Fitted max-batch constants of one model.
    public struct MaxBatchFit: Sendable {
        public var model: String
        public var c0: Double, c1: Double
        public var c0Error: Double, c1Error: Double
        public var predictions: [(Measurement, Double)]
    }

    /// Fitted throughput constants of one (model, dataset).
    public struct ThroughputFit: Sendable {
        public var model: String, dataset: String
        public var c2: Double, c4: Double, c3: Double
        public var rmse: Double
        public var predictions: [(Measurement, Double)]
    }

    public let catalog: ConfigCatalog

    /// Creates a fitter.
    public init(catalog: ConfigCatalog) { self.catalog = catalog }

    /// C3 as the paper fixed it.
    public static func c3(model: String) -> Double { model.contains("mamba") ? 2.5 : 1.8 }

    private func sparsity(_ m: Measurement) throws(SimulatorError) -> Double {
        let model = try catalog.model(m.model)
        return Double(m.topK) / Double(model.moe?.experts ?? 1)
    }

    /// Fits the max-batch formula per model.
    public func fitMaxBatch(_ ms: [Measurement]) throws -> [MaxBatchFit] {
        var out: [MaxBatchFit] = []
        for name in Set(ms.map(\.model)).sorted() {
            let rows = ms.filter { $0.model == name && $0.quantity == .maxBatch }
            guard rows.count >= 3 else { continue }
            let model = try catalog.model(name)
            let inv = ParameterInventory(LoweringContext(model: model, method: model.preset, workload: Workload(batch: 1, seq: 1)))
            let modelMem = (inv.baseWeightBytes + inv.adapterBytes) / 1e9
            var xs: [(mem: Double, seq: Double, s: Double, b: Double)] = []
            for m in rows {
                let seq = try m.seq.map(Double.init) ?? Double(catalog.dataset(m.dataset!).longestPadded)
                xs.append((try catalog.gpu(m.gpu).memoryGB, seq, try sparsity(m), m.value))
            }
            let data = xs
            let problem = LeastSquaresProblem(parameterCount: 2, residualCount: data.count, initial: [80, 0.9], names: ["C0", "C1"]) {
                p, r in
                for (i, x) in data.enumerated() {
                    r[i] = (p[0] * (x.mem - modelMem) / (x.seq * ((1 - p[1]) + p[1] * x.s)) - (x.b + 0.5)) / (x.b + 0.5)
                }
            }
            let fit = try NonlinearLeastSquares.fit(problem)
            let preds = data.map { x in
                floor(fit.parameters[0] * (x.mem - modelMem) / (x.seq * ((1 - fit.parameters[1]) + fit.parameters[1] * x.s)))
            }
            out.append(
                MaxBatchFit(
                    model: name, c0: fit.parameters[0], c1: fit.parameters[1], c0Error: fit.standardErrors[0],
                    c1Error: fit.standardErrors[1],
                    predictions: zip(rows, preds).map { ($0, $1) }))
        }
        return out
    }

    /// Fits the throughput formula per (model, dataset).
    public func fitThroughput(_ ms: [Measurement]) throws -> [ThroughputFit] {
        var out: [ThroughputFit] = []
        let rows = ms.filter { $0.quantity == .throughput }
        let groups = Set(rows.map { "\($0.model)|\($0.dataset ?? "")" }).sorted()
        for g in groups {
            let parts = g.split(separator: "|").map(String.init)
            let rs = rows.filter { $0.model == parts[0] && $0.dataset == parts[1] }
            guard rs.count >= 3 else { continue }
            let c3 = Self.c3(model: parts[0])
            var xs: [(lb: Double, s: Double, y: Double)] = []
            for m in rs { xs.append((log(Double(m.batch)), try sparsity(m), m.value)) }
            let data = xs
            let problem = LeastSquaresProblem(parameterCount: 2, residualCount: data.count, initial: [1, 1], names: ["C2", "C4"]) { p, r in
                for (i, x) in data.enumerated() { r[i] = p[1] + p[0] * x.lb / (x.s * c3) - x.y }
            }
            let fit = try NonlinearLeastSquares.fit(problem)
            let preds = data.map { fit.parameters[1] + fit.parameters[0] * $0.lb / ($0.s * c3) }
            let rmse = (zip(preds, data).reduce(0) { $0 + pow($1.0 - $1.1.y, 2) } / Double(data.count)).squareRoot()
            out.append(
                ThroughputFit(
                    model: parts[0], dataset: parts[1], c2: fit.parameters[0], c4: fit.parameters[1], c3: c3, rmse: rmse,
                    predictions: zip(rs, preds).map { ($0, $1) }))
        }
        return out
    }
}
