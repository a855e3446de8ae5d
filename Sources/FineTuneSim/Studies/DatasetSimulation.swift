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
    public func simulate(model: ModelSpec, method: FineTuneMethod, dataset: Dataset, batch: Int, routing: Routing = .uniform) -> StepReport {
        var parts: [(Double, StepReport)] = []
        for (length, p) in dataset.paddedBatchLengths(batch: batch) where p > 1e-12 {
            parts.append((p, simulator.simulate(model: model, method: method, workload: Workload(batch: batch, seq: length, routing: routing))))
        }
        var r = StepReport.mixture(parts)
        let worst = Workload(batch: batch, seq: dataset.longestPadded, routing: routing)
        let program = Lowering.lower(model: model, method: method, workload: worst)
        r.memory = MemoryEstimate(program: program, parameters: simulator.parameters)
        r.fits = r.memory.fits(simulator.gpu)
        r.batch = Double(batch)
        return r
    }
}
