/// Dataset-aware simulation: the expected step over batches drawn from a dataset's length histogram,
/// each padded to its longest query. Exact order statistics (P(L ≤ x) = F(x)^batch); each distinct
/// padded length is simulated once.
public struct DatasetSimulation: Sendable {
    /// The simulator.
    public let simulator: Simulator

    /// Creates a dataset simulation over a simulator.
    public init(simulator: Simulator) { self.simulator = simulator }

    /// The expected step report for `batch` queries from `dataset`; memory and `fits` are those of a
    /// batch holding the dataset's longest query (one such batch ends a real run).
    ///
    /// `maxLengths` collapses the length distribution to at most that many probability-weighted
    /// representative lengths (quantile bins, each at its mean rounded to the pad multiple) — a cheaper,
    /// still deterministic quadrature for calibration loops; nil simulates every distinct length.
    /// `gradAccum` micro-batches make one optimizer step (each micro-batch at the same padded length: an
    /// approximation of independent draws that keeps the expectation's cost).
    public func simulate(
        model: ModelSpec, method: FineTuneMethod, dataset: Dataset, batch: Int, routing: Routing = .uniform, maxLengths: Int? = nil,
        gradAccum: Int = 1
    ) -> StepReport {
        var parts: [(Double, StepReport)] = []
        for (length, p) in Self.lengths(dataset, batch: batch, maxLengths: maxLengths) {
            parts.append(
                (
                    p,
                    simulator.simulate(
                        model: model, method: method, workload: Workload(batch: batch, seq: length, routing: routing, gradAccum: gradAccum))
                ))
        }
        var r = StepReport.mixture(parts)
        let worst = Workload(batch: batch, seq: dataset.longestPadded, routing: routing, gradAccum: gradAccum)
        let program = simulator.program(model: model, method: method, workload: worst)
        r.memory = MemoryEstimate(program: program, parameters: simulator.parameters)
        r.fits = r.memory.fits(simulator.gpu)
        r.batch = Double(batch * gradAccum)
        return r
    }

    /// Queries per second over `dataset` (queries per step over the expected step time): the same figure as
    /// ``simulate(model:method:dataset:batch:routing:maxLengths:gradAccum:)``'s throughput, without building
    /// step reports.
    public func throughput(
        model: ModelSpec, method: FineTuneMethod, dataset: Dataset, batch: Int, routing: Routing = .uniform, maxLengths: Int? = nil,
        gradAccum: Int = 1
    ) -> Double {
        var expected = 0.0
        for (length, p) in Self.lengths(dataset, batch: batch, maxLengths: maxLengths) {
            expected +=
                p
                * simulator.stepTime(
                    model: model, method: method, workload: Workload(batch: batch, seq: length, routing: routing, gradAccum: gradAccum))
        }
        return Double(batch * gradAccum) / expected
    }

    /// The padded lengths of `batch` queries with their probabilities, collapsed to at most `maxLengths`
    /// quantile bins when given.
    static func lengths(_ dataset: Dataset, batch: Int, maxLengths: Int?) -> [(length: Int, probability: Double)] {
        let lengths = dataset.paddedBatchLengths(batch: batch).filter { $0.probability > 1e-12 }
        if let n = maxLengths, lengths.count > n { return bins(lengths, count: n, multiple: dataset.padMultiple) }
        return lengths
    }

    /// Quantile bins of a length distribution, each at its probability-weighted mean length.
    static func bins(_ d: [(length: Int, probability: Double)], count: Int, multiple: Int) -> [(length: Int, probability: Double)] {
        var out: [(length: Int, probability: Double)] = []
        var cumulative = 0.0, massP = 0.0, massL = 0.0
        var bin = 1
        for (i, x) in d.enumerated() {
            cumulative += x.probability
            massP += x.probability
            massL += x.probability * Double(x.length)
            if cumulative >= Double(bin) / Double(count) - 1e-12 || i == d.count - 1 {
                let mean = massL / massP
                let l = max(multiple, Int((mean / Double(multiple)).rounded()) * multiple)
                if let last = out.last, last.length == l { out[out.count - 1].probability += massP } else { out.append((l, massP)) }
                massP = 0
                massL = 0
                while Double(bin) / Double(count) <= cumulative + 1e-12 { bin += 1 }
            }
        }
        return out
    }
}
