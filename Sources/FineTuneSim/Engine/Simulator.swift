/// The simulator's front door: lowers a step, times it on a GPU, runs the engine and reports.
public struct Simulator: Sendable {
    /// The GPU.
    public let gpu: GPUSpec
    /// Cost and memory parameters.
    public let parameters: CalibrationParameters

    /// Creates a simulator for a GPU.
    public init(gpu: GPUSpec, parameters: CalibrationParameters) {
        self.gpu = gpu
        self.parameters = parameters
    }

    /// One simulated step with what it was made from.
    public struct Run: Sendable {
        public var report: StepReport
        public var program: Program
        public var engine: Engine.Result
    }

    /// The model with the top-k in force (the model's own when `topK` is nil).
    public static func model(_ model: ModelSpec, topK: Int?) throws(SimulatorError) -> ModelSpec {
        guard let k = topK else { return model }
        guard var moe = model.moe else { throw SimulatorError(source: "--top-k", "\(model.id) has no MoE layers") }
        guard k >= 1, k <= moe.experts else { throw SimulatorError(source: "--top-k", "\(k) is outside 1...\(moe.experts) (the expert count of \(model.id))") }
        var m = model
        moe.topK = k
        m.moe = moe
        return m
    }

    /// Simulates one step at a fixed padded length.
    public func run(model: ModelSpec, method: FineTuneMethod, workload: Workload, recordTimeline: Bool = false) -> Run {
        let program = Lowering.lower(model: model, method: method, workload: workload)
        let engine = Engine(cost: CostModel(gpu: gpu, parameters: parameters))
        let result = engine.run(program, recordTimeline: recordTimeline)
        let memory = MemoryEstimate(program: program, parameters: parameters)
        let report = Self.report(program: program, result: result, cost: engine.cost, workload: workload, memory: memory, gpu: gpu)
        return Run(report: report, program: program, engine: result)
    }

    /// Simulates one step; the report only.
    public func simulate(model: ModelSpec, method: FineTuneMethod, workload: Workload) -> StepReport {
        run(model: model, method: method, workload: workload).report
    }

    static func report(program: Program, result: Engine.Result, cost: CostModel, workload: Workload, memory: MemoryEstimate, gpu: GPUSpec) -> StepReport {
        struct Key: Hashable { var layer: LayerType; var name: String; var phase: Phase }
        var totals: [Key: StepReport.KernelTotal] = [:]
        var kinds: [KernelKind: Double] = [:]
        var launches = 0.0
        for (s, seg) in program.segments.enumerated() where result.segmentRuns[s] > 0 {
            let n = Double(result.segmentRuns[s])
            launches += n * Double(seg.kernels.count)
            for (i, k) in seg.kernels.enumerated() {
                let d = result.durations[s][i] * n
                kinds[k.kind, default: 0] += d
                let key = Key(layer: k.layer, name: k.name, phase: k.phase.reported)
                if totals[key] == nil {
                    totals[key] = StepReport.KernelTotal(
                        name: k.name, kind: k.kind, layer: k.layer, phase: k.phase.reported, calls: 0, timeSeconds: 0, flops: 0, bytes: 0,
                        bound: cost.time(k).bound)
                }
                totals[key]!.calls += n
                totals[key]!.timeSeconds += d
                totals[key]!.flops += k.flops * n
                totals[key]!.bytes += k.bytes * n
            }
        }
        let kernels = totals.values.sorted {
            if $0.timeSeconds != $1.timeSeconds { return $0.timeSeconds > $1.timeSeconds }
            if $0.layer != $1.layer { return $0.layer.rawValue < $1.layer.rawValue }
            if $0.name != $1.name { return $0.name < $1.name }
            return $0.phase.rawValue < $1.phase.rawValue
        }
        var layers: [String: Double] = [:]
        for (l, t) in result.layerWall where l != .optimizer { layers[l.reportKey, default: 0] += t }
        var phases: [Phase: Double] = [.forward: 0, .backward: 0, .optimizer: 0]
        for (ph, t) in result.phaseWall { phases[ph.reported, default: 0] += t }
        return StepReport(
            stepTime: result.stepTime, batch: Double(workload.batch), tokens: Double(workload.tokens), phases: phases,
            hostOverhead: cost.parameters.stepOverhead, layers: layers, kinds: kinds, kernels: kernels, kernelLaunches: launches,
            syncs: Double(program.syncCount), gpuBusy: result.gpuBusyTime, memory: memory, fits: memory.fits(gpu))
    }
}
