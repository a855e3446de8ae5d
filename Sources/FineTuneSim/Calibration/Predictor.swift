/// Predicts measurements with the simulator under given parameters, reusing simulations that several
/// measurements share.
public struct Predictor: Sendable {
    /// The configs to resolve ids.
    public let catalog: ConfigCatalog
    /// Dataset lengths per throughput prediction (nil: every distinct padded length).
    public var maxLengths: Int?
    /// Lowered programs shared across predictions.
    public let cache = ProgramCache()

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
        // The fixed-length step behind stage, layer and kernel measurements, simulated once per configuration.
        func fixedLengthStep(_ m: Measurement, _ model: ModelSpec, _ method: FineTuneMethod, _ gpu: GPUSpec) -> StepReport {
            let key = StageKey(model: m.model, gpu: m.gpu, topK: m.topK, batch: m.batch, seq: m.seq ?? 128)
            if let r = stages[key] { return r }
            let r = Simulator(gpu: gpu, parameters: parameters, cache: cache).simulate(
                model: model, method: method, workload: Workload(batch: m.batch, seq: key.seq))
            stages[key] = r
            return r
        }
        // One cost model per GPU for single-kernel rows (thousands of them per prediction in a fit).
        var costs: [String: CostModel] = [:]
        // Optimizer steps of rows that name their method and accumulation (step time and peak memory together).
        var accumulated: [String: StepReport] = [:]
        var out: [Double] = []
        for m in ms {
            if gpus[m.gpu] == nil { gpus[m.gpu] = try catalog.gpu(m.gpu) }
            if m.quantity == .op {
                // One kernel: the cost model alone, no simulation.
                guard let query = m.query else {
                    throw SimulatorError(source: m.set, key: "op_s", "measurement '\(m.label)' carries no kernel query")
                }
                if costs[m.gpu] == nil { costs[m.gpu] = CostModel(gpu: gpus[m.gpu]!, parameters: parameters) }
                out.append(costs[m.gpu]!.duration(query.kernel))
                continue
            }
            if models[m.model] == nil { models[m.model] = try catalog.model(m.model) }
            let model = try Simulator.model(models[m.model]!, topK: m.topK > 0 ? m.topK : nil)
            let method = m.method.map { $0.method(over: model.preset) } ?? model.preset
            let gpu = gpus[m.gpu]!
            switch m.quantity {
            case .throughput:
                let id = m.dataset!
                if datasets[id] == nil { datasets[id] = try catalog.dataset(id) }
                let sim = DatasetSimulation(simulator: Simulator(gpu: gpu, parameters: parameters, cache: cache))
                out.append(
                    sim.throughput(
                        model: model, method: method, dataset: datasets[id]!, batch: m.batch, maxLengths: maxLengths,
                        gradAccum: m.gradAccum))
            case .kernel:
                let step = fixedLengthStep(m, model, method, gpu)
                let name = try Self.kernelName(m.kernel ?? "", source: m.set)
                // Per-expert kernels (`expert3.weight_mul`) are averaged over the experts.
                var time = 0.0, calls = 0.0
                for k in step.kernels
                where k.layer == .moe && k.phase == .forward && (k.name == name || k.name.hasSuffix("." + name)) {
                    time += k.timeSeconds
                    calls += k.calls
                }
                guard calls > 0 else {
                    throw SimulatorError(
                        source: m.set, key: "kernel",
                        "the simulated step of \(m.model) has no MoE forward kernel '\(name)' (for '\(m.kernel ?? "")')")
                }
                out.append(time / calls)
            case .layer:
                let step = fixedLengthStep(m, model, method, gpu)
                guard let v = step.layers[m.kernel ?? ""] else {
                    throw SimulatorError(source: m.set, key: "layer", "the simulated step of \(m.model) has no '\(m.kernel ?? "")' layers")
                }
                out.append(v)
            case .forward, .backward, .optimizer:
                let step = fixedLengthStep(m, model, method, gpu)
                let phase: Phase = m.quantity == .forward ? .forward : (m.quantity == .backward ? .backward : .optimizer)
                out.append(step.phases[phase] ?? 0)
            case .stepTime, .peakMemory:
                let key = "\(m.model)|\(m.gpu)|\(m.topK)|\(m.method?.rawValue ?? "preset")|\(m.batch)|\(m.seq ?? 128)|\(m.gradAccum)"
                if accumulated[key] == nil {
                    accumulated[key] = Simulator(gpu: gpu, parameters: parameters, cache: cache).simulate(
                        model: model, method: method, workload: Workload(batch: m.batch, seq: m.seq ?? 128, gradAccum: m.gradAccum))
                }
                let step = accumulated[key]!
                out.append(m.quantity == .stepTime ? step.stepTime : step.memory.peakBytes / 1e9)
            case .op:
                continue  // predicted above
            case .maxBatch:
                let seq: Int
                if let s = m.seq {
                    seq = s
                } else {
                    let id = m.dataset!
                    if datasets[id] == nil { datasets[id] = try catalog.dataset(id) }
                    seq = datasets[id]!.longestPadded
                }
                out.append(
                    Double(
                        MaxBatch(parameters: parameters).search(model: model, method: method, seq: seq, capacityBytes: gpu.memoryBytes)
                            .maxBatch))
            }
        }
        return out
    }

    /// The simulator's MoE kernel name for a profiled kernel name of the paper's traces.
    public static func kernelName(_ profiled: String, source: String) throws(SimulatorError) -> String {
        switch profiled {
        case "matmul_w1": return "w1.gemm"
        case "matmul_w2": return "w2.gemm"
        case "matmul_w3": return "w3.gemm"
        case "w1_dequant": return "w1.dequant"
        case "w2_dequant": return "w2.dequant"
        case "w3_dequant": return "w3.dequant"
        case "matmul_router": return "router.gemm"
        case "router_dequant": return "router.dequant"
        case "softmax": return "softmax"
        case "sigmoid": return "sigmoid"
        case "topk", "top_k": return "topk"
        case "gelu": return "gelu"
        case "elementwise_mult": return "weight_mul"
        default: throw SimulatorError(source: source, key: "kernel", "unknown profiled kernel '\(profiled)'")
        }
    }

    /// A smooth stand-in for a max-batch measurement, for fitting: the continuous largest batch b* (where the
    /// peak, linear in the batch between the measured batch b and b + 1, meets the GPU's capacity), as its
    /// distance from the middle of [b, b + 1) in half batches. |r| < 1 exactly when the predicted maximum is
    /// b, so a large measured batch (a narrow interval in memory) weighs as much as its precision warrants.
    public func maxBatchResidual(_ m: Measurement, parameters: CalibrationParameters) throws(SimulatorError) -> Double {
        let gpu = try catalog.gpu(m.gpu)
        let model = try Simulator.model(try catalog.model(m.model), topK: m.topK)
        let seq: Int
        if let s = m.seq { seq = s } else { seq = try catalog.dataset(m.dataset!).longestPadded }
        let mb = MaxBatch(parameters: parameters)
        let b = Int(m.value)
        let lo = mb.peakBytes(model: model, method: model.preset, batch: b, seq: seq)
        let hi = mb.peakBytes(model: model, method: model.preset, batch: b + 1, seq: seq)
        // A batch-independent peak (e.g. an optimizer transient) gives no slope: fall back to memory units.
        let perBatch = max(hi - lo, 1e-3 * gpu.memoryBytes)
        return 2 * (gpu.memoryBytes - lo) / perBatch - 1
    }
}
