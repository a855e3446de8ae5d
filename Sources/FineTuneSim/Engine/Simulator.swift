/// The simulator's front door: lowers a step, times it on a GPU, runs the engine and reports.
public struct Simulator: Sendable {
    /// The GPU.
    public let gpu: GPUSpec
    /// Cost and memory parameters.
    public let parameters: CalibrationParameters
    /// Lowered programs to reuse, when the caller keeps them across parameter changes.
    public let cache: ProgramCache?

    /// Creates a simulator for a GPU.
    public init(gpu: GPUSpec, parameters: CalibrationParameters, cache: ProgramCache? = nil) {
        self.gpu = gpu
        self.parameters = parameters
        self.cache = cache
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
        let scale = parameters.routedActivationOverhead
        let program = cache?.program(model: model, method: method, workload: workload, routedMemoryScale: scale)
            ?? Lowering.lower(model: model, method: method, workload: workload, routedMemoryScale: scale)
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
        // One hash per distinct (segment, kernel): totals live in an array, the dictionary maps keys to slots.
        var slot: [Key: Int] = [:]
        var totals: [StepReport.KernelTotal] = []
        var kindSeconds = [Double](repeating: 0, count: KernelKind.allCases.count)
        var kindSeen = [Bool](repeating: false, count: KernelKind.allCases.count)
        var launches = 0.0
        for s in program.segments.indices where result.segmentRuns[s] > 0 {
            let seg = program.segments[s]
            let n = Double(result.segmentRuns[s])
            launches += n * Double(seg.kernels.count)
            let durations = result.durations[s]
            for i in seg.kernels.indices {
                let k = seg.kernels[i]
                let d = durations[i] * n
                let ki = KernelKind.index(of: k.kind)
                kindSeconds[ki] += d
                kindSeen[ki] = true
                let key = Key(layer: k.layer, name: k.name, phase: k.phase.reported)
                let j: Int
                if let existing = slot[key] {
                    j = existing
                } else {
                    j = totals.count
                    slot[key] = j
                    totals.append(
                        StepReport.KernelTotal(
                            name: k.name, kind: k.kind, layer: k.layer, phase: k.phase.reported, calls: 0, timeSeconds: 0, flops: 0, bytes: 0,
                            bound: cost.time(k).bound))
                }
                totals[j].calls += n
                totals[j].timeSeconds += d
                totals[j].flops += k.flops * n
                totals[j].bytes += k.bytes * n
            }
        }
        var kinds: [KernelKind: Double] = [:]
        for (i, kind) in KernelKind.allCases.enumerated() where kindSeen[i] { kinds[kind] = kindSeconds[i] }
        // Largest time first; ties by layer, name, phase (compared in place, without copying totals).
        let order = totals.withUnsafeBufferPointer { t in
            t.indices.sorted { a, b in
                if t[a].timeSeconds != t[b].timeSeconds { return t[a].timeSeconds > t[b].timeSeconds }
                if t[a].layer != t[b].layer { return t[a].layer.rawValue < t[b].layer.rawValue }
                if t[a].name != t[b].name { return t[a].name < t[b].name }
                return t[a].phase.rawValue < t[b].phase.rawValue
            }
        }
        let kernels = order.map { totals[$0] }
        var layers: [String: Double] = [:]
        for (l, t) in result.layerWall where l != .optimizer { layers[l.reportKey, default: 0] += t }
        var phases: [Phase: Double] = [.forward: 0, .backward: 0, .optimizer: 0]
        for (ph, t) in result.phaseWall { phases[ph.reported, default: 0] += t }
        return StepReport(
            stepTime: result.stepTime, batch: Double(workload.batch), tokens: Double(workload.tokens), phases: phases,
            hostOverhead: cost.parameters.stepOverhead, layers: layers, kinds: kinds, kernels: kernels, kernelLaunches: launches,
            syncs: Double(program.syncCount), gpuBusy: result.gpuBusyTime, memory: memory, fits: memory.fits(gpu), stepTimeInterval: nil)
    }
}

extension KernelKind {
    /// Position in `allCases` (for array-indexed accumulation).
    static func index(of kind: KernelKind) -> Int { indices[kind]! }
    private static let indices: [KernelKind: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })
}
