/// Predicts measurements with the simulator under given parameters, reusing simulations that several
/// measurements share.
public struct Predictor: Sendable {
    /// The configs to resolve ids.
    public let catalog: ConfigCatalog
    /// Dataset lengths per throughput prediction (nil: every distinct padded length).
    public var maxLengths: Int?

    /// Creates a predictor.
    public init(catalog: ConfigCatalog, maxLengths: Int? = nil) {
        self.catalog = catalog
        self.maxLengths = maxLengths
    }

    /// Predictions for each measurement, in order.
    public func predict(_ ms: [Measurement], parameters: CalibrationParameters) throws(SimulatorError) -> [Double] {
        var gpus: [String: GPUSpec] = [:]
        var models: [String: ModelSpec] = [:]
        var datasets: [String: Dataset] = [:]
        struct StageKey: Hashable { var model: String; var gpu: String; var topK: Int; var batch: Int; var seq: Int }
        var stages: [StageKey: StepReport] = [:]
        var out: [Double] = []
        for m in ms {
            if gpus[m.gpu] == nil { gpus[m.gpu] = try catalog.gpu(m.gpu) }
            if models[m.model] == nil { models[m.model] = try catalog.model(m.model) }
            let model = try Simulator.model(models[m.model]!, topK: m.topK)
            let method = model.preset
            let gpu = gpus[m.gpu]!
            switch m.quantity {
            case .throughput:
                let id = m.dataset!
                if datasets[id] == nil { datasets[id] = try catalog.dataset(id) }
                let sim = DatasetSimulation(simulator: Simulator(gpu: gpu, parameters: parameters))
                out.append(sim.simulate(model: model, method: method, dataset: datasets[id]!, batch: m.batch, maxLengths: maxLengths).throughput)
            case .forward, .backward, .optimizer:
                let key = StageKey(model: m.model, gpu: m.gpu, topK: m.topK, batch: m.batch, seq: m.seq ?? 128)
                if stages[key] == nil {
                    stages[key] = Simulator(gpu: gpu, parameters: parameters).simulate(model: model, method: method, workload: Workload(batch: m.batch, seq: key.seq))
                }
                let phase: Phase = m.quantity == .forward ? .forward : (m.quantity == .backward ? .backward : .optimizer)
                out.append(stages[key]!.phases[phase] ?? 0)
            case .maxBatch:
                let seq: Int
                if let s = m.seq { seq = s } else {
                    let id = m.dataset!
                    if datasets[id] == nil { datasets[id] = try catalog.dataset(id) }
                    seq = datasets[id]!.longestPadded
                }
                out.append(Double(MaxBatch(parameters: parameters).search(model: model, method: method, seq: seq, capacityBytes: gpu.memoryBytes).maxBatch))
            }
        }
        return out
    }

    /// A smooth stand-in for a max-batch measurement, for fitting: the peak memory at the measured batch
    /// plus half a batch, relative to the GPU's capacity, minus one (zero when capacity sits mid-way).
    public func maxBatchResidual(_ m: Measurement, parameters: CalibrationParameters) throws(SimulatorError) -> Double {
        let gpu = try catalog.gpu(m.gpu)
        let model = try Simulator.model(try catalog.model(m.model), topK: m.topK)
        let seq: Int
        if let s = m.seq { seq = s } else { seq = try catalog.dataset(m.dataset!).longestPadded }
        let mb = MaxBatch(parameters: parameters)
        let b = Int(m.value)
        let lo = mb.peakBytes(model: model, method: model.preset, batch: b, seq: seq)
        let hi = mb.peakBytes(model: model, method: model.preset, batch: b + 1, seq: seq)
        return (lo + hi) / 2 / gpu.memoryBytes - 1
    }
}
