/// The simulator's front door: lowers a step, times it on a GPU, runs the engine and reports.
public struct Simulator: Sendable {
    /// The GPU.
    public let gpu: GPUSpec
    /// Cost and memory parameters, with the host costs of ``host`` (the calibration's divided by its speed).
    public let parameters: CalibrationParameters
    /// The host assumed.
    public let host: HostSpec
    /// Lowered programs to reuse, when the caller keeps them across parameter changes.
    public let cache: ProgramCache?

    /// Creates a simulator for a GPU.
    ///
    /// `parameters` are the calibration's, whose host costs are the reference host's; `host` (default: the
    /// GPU file's `host:` block, else the reference; ``HostSpec/effective(speedFlag:gpu:)`` resolves
    /// `--host-speed`) scales them.
    public init(gpu: GPUSpec, parameters: CalibrationParameters, cache: ProgramCache? = nil, host: HostSpec? = nil) {
        self.gpu = gpu
        self.host = host ?? gpu.host ?? .reference
        self.parameters = self.host.apply(to: parameters)
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
        guard k >= 1, k <= moe.experts else {
            throw SimulatorError(source: "--top-k", "\(k) is outside 1...\(moe.experts) (the expert count of \(model.id))")
        }
        var m = model
        moe.topK = k
        m.moe = moe
        return m
    }

    /// The lowered step under these parameters' memory knobs, from the cache when there is one.
    public func program(model: ModelSpec, method: FineTuneMethod, workload: Workload) -> Program {
        let knobs = LoweringMemory(parameters)
        return cache?.program(model: model, method: method, workload: workload, memory: knobs)
            ?? Lowering.lower(model: model, method: method, workload: workload, memory: knobs)
    }

    /// Simulates one step at a fixed padded length.
    public func run(model: ModelSpec, method: FineTuneMethod, workload: Workload, recordTimeline: Bool = false) -> Run {
        let program = program(model: model, method: method, workload: workload)
        let engine = Engine(cost: CostModel(gpu: gpu, parameters: parameters))
        let result = engine.run(program, recordTimeline: recordTimeline)
        let memory = MemoryEstimate(program: program, parameters: parameters)
        var report = Self.report(program: program, result: result, cost: engine.cost, workload: workload, memory: memory, gpu: gpu)
        report.host = host
        return Run(report: report, program: program, engine: result)
    }

    /// The step time alone (no report): the engine's answer for calibration loops, which need nothing else.
    public func stepTime(model: ModelSpec, method: FineTuneMethod, workload: Workload) -> Double {
        Engine(cost: CostModel(gpu: gpu, parameters: parameters)).run(program(model: model, method: method, workload: workload)).stepTime
    }

    /// Simulates one step; the report only.
    public func simulate(model: ModelSpec, method: FineTuneMethod, workload: Workload) -> StepReport {
        run(model: model, method: method, workload: workload).report
    }

    static func report(program: Program, result: Engine.Result, cost: CostModel, workload: Workload, memory: MemoryEstimate, gpu: GPUSpec)
        -> StepReport
    {
        // One string hash per (segment, kernel): a name leads to a short chain of totals, one per
        // (layer, reported phase) it occurs in.
        var firstByName: [String: Int32] = [:]
        firstByName.reserveCapacity(1024)
        var next: [Int32] = []
        var totals: [StepReport.KernelTotal] = []
        totals.reserveCapacity(1024)
        var kindSeconds = [Double](repeating: 0, count: KernelKind.allCases.count)
        var kindSeen = [Bool](repeating: false, count: KernelKind.allCases.count)
        var launches = 0.0
        for s in program.segments.indices where result.segmentRuns[s] > 0 {
            let n = Double(result.segmentRuns[s])
            launches += n * Double(program.segments[s].kernels.count)
            result.durations[s].withUnsafeBufferPointer { durations in
                program.segments[s].kernels.withUnsafeBufferPointer { kernels in
                    for i in kernels.indices {
                        let d = durations[i] * n
                        let kind = kernels[i].kind, layer = kernels[i].layer, phase = kernels[i].phase.reported
                        kindSeconds[kind.ordinal] += d
                        kindSeen[kind.ordinal] = true
                        var j = Int(firstByName[kernels[i].name] ?? -1)
                        var last = -1
                        while j >= 0 && (totals[j].layer != layer || totals[j].phase != phase) {
                            last = j
                            j = Int(next[j])
                        }
                        if j < 0 {
                            j = totals.count
                            if last >= 0 { next[last] = Int32(j) } else { firstByName[kernels[i].name] = Int32(j) }
                            next.append(-1)
                            totals.append(
                                StepReport.KernelTotal(
                                    name: kernels[i].name, kind: kind, layer: layer, phase: phase, calls: 0, timeSeconds: 0, flops: 0,
                                    bytes: 0, bound: cost.time(kernels[i]).bound))
                        }
                        totals[j].calls += n
                        totals[j].timeSeconds += d
                        totals[j].flops += kernels[i].flops * n
                        totals[j].bytes += kernels[i].bytes * n
                    }
                }
            }
        }
        var kinds: [KernelKind: Double] = [:]
        for (i, kind) in KernelKind.allCases.enumerated() where kindSeen[i] { kinds[kind] = kindSeconds[i] }
        // Largest time first; ties in order of first launch (deterministic, and no string comparisons).
        let order = totals.withUnsafeBufferPointer { t in
            t.indices.sorted { a, b in t[a].timeSeconds != t[b].timeSeconds ? t[a].timeSeconds > t[b].timeSeconds : a < b }
        }
        let kernels = order.map { totals[$0] }
        var layers: [String: Double] = [:]
        // Summed in a fixed order (dictionary order varies between processes, and so would the last bit).
        for l in LayerType.allCases where l != .optimizer { if let t = result.layerWall[l] { layers[l.reportKey, default: 0] += t } }
        var phases: [Phase: Double] = [.forward: 0, .backward: 0, .optimizer: 0]
        for ph in Phase.allCases { if let t = result.phaseWall[ph] { phases[ph.reported, default: 0] += t } }
        return StepReport(
            stepTime: result.stepTime, batch: Double(workload.queriesPerStep), tokens: Double(workload.tokensPerStep), phases: phases,
            hostOverhead: max(0, result.stepTime - Phase.allCases.reduce(0) { $0 + (result.phaseWall[$1] ?? 0) }), layers: layers,
            kinds: kinds, kernels: kernels, kernelLaunches: launches, syncs: Double(program.syncCount), gpuBusy: result.gpuBusyTime,
            memory: memory, fits: memory.fits(gpu), stepTimeInterval: nil, syncWait: result.hostWaitTime)
    }
}
