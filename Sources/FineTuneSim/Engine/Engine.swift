import HeapModule

/// The discrete-event engine: a host thread that issues launches (paying a framework overhead per launch)
/// and waits at synchronizations, and in-order GPU streams that run kernels. Events are ordered by
/// (time, insertion order). The step ends when the last event ends.
///
/// Repeated segments (identical layers) are simulated once per distinct host/GPU offset at their start
/// and then shifted in time, which is exact: a segment's behaviour depends only on that offset.
public struct Engine: Sendable {
    /// Host and GPU timing of a whole step.
    public struct Result: Sendable {
        /// Seconds from the first host operation to the end of the last kernel or host operation, plus
        /// the per-step host overhead.
        public var stepTime: Double
        /// Seconds per (segment, kernel) — durations on the GPU.
        public var durations: [[Double]]
        /// How many times each segment ran.
        public var segmentRuns: [Int]
        /// Seconds the host spent blocked on the GPU.
        public var hostWaitTime: Double
        /// Seconds the GPU was busy.
        public var gpuBusyTime: Double
        /// Wall seconds per phase (segments partition the step's wall time).
        public var phaseWall: [Phase: Double]
        /// Wall seconds per layer type, each segment's wall time shared by its kernels' host-or-GPU cost.
        public var layerWall: [LayerType: Double]
        /// The full timeline, when requested.
        public var timeline: Timeline?
    }

    /// The cost model timing each kernel.
    public let cost: CostModel

    /// Creates an engine over a cost model.
    public init(cost: CostModel) { self.cost = cost }

    private struct MemoKey: Hashable {
        var segment: Int
        var offset: Double
    }

    private struct SegmentRun {
        var hostAdvance: Double
        var gpuOffset: Double
        var wait: Double
        var starts: [Double]
        var issues: [Double]
        var syncs: [Timeline.SyncSpan]
        var memory: [(Double, Double)]
    }

    /// Runs one step of a program.
    public func run(_ program: Program, recordTimeline: Bool = false) -> Result {
        let p = cost.parameters
        var durations: [[Double]] = []
        durations.reserveCapacity(program.segments.count)
        for s in program.segments { durations.append(s.kernels.map { cost.duration($0) }) }
        var runs = Array(repeating: 0, count: program.segments.count)
        var memo: [MemoKey: SegmentRun] = [:]
        var host = 0.0
        var gpu = 0.0
        var wait = 0.0
        var timeline = recordTimeline ? Timeline() : nil
        var memLevel = program.residentBytes
        // Each segment's phase and its layer-type shares, for the wall-time breakdowns.
        var segmentPhase: [Phase] = []
        var segmentShares: [[(LayerType, Double)]] = []
        for (si, seg) in program.segments.enumerated() {
            segmentPhase.append(seg.kernels.first?.phase.reported ?? .forward)
            var w: [LayerType: Double] = [:]
            var total = 0.0
            for (ki, k) in seg.kernels.enumerated() {
                let launch = k.phase == .backward ? p.hostLaunchBackward : (k.phase == .optimizer ? p.hostLaunchOptimizer : p.hostLaunchForward)
                let c = max(durations[si][ki], launch)
                w[k.layer, default: 0] += c
                total += c
            }
            segmentShares.append(LayerType.allCases.compactMap { l in w[l].map { (l, total > 0 ? $0 / total : 0) } })
        }
        var phaseWall: [Phase: Double] = [:]
        var layerWall: [LayerType: Double] = [:]
        for s in program.order {
            let before = max(host, gpu)
            runs[s] += 1
            let offset = max(0, gpu - host)
            let key = MemoKey(segment: s, offset: offset)
            let r: SegmentRun
            if let hit = memo[key] {
                r = hit
            } else {
                r = simulate(program.segments[s], durations: durations[s], offset: offset, params: p, detailed: recordTimeline)
                memo[key] = r
            }
            if timeline != nil {
                for (i, k) in program.segments[s].kernels.indices.enumerated() {
                    let start = host + r.starts[i]
                    timeline!.kernels.append(
                        Timeline.KernelSpan(
                            segment: Int32(s), kernel: Int32(k), stream: 0, issued: host + r.issues[i], start: start,
                            end: start + durations[s][i]))
                }
                for sp in r.syncs { timeline!.syncs.append(Timeline.SyncSpan(start: host + sp.start, end: host + sp.end)) }
                for (t, delta) in r.memory {
                    memLevel += delta
                    timeline!.memory.append((host + t, memLevel))
                }
            }
            wait += r.wait
            host += r.hostAdvance
            gpu = host + r.gpuOffset
            let wall = max(host, gpu) - before
            phaseWall[segmentPhase[s], default: 0] += wall
            for (l, share) in segmentShares[s] { layerWall[l, default: 0] += wall * share }
        }
        var busy = 0.0
        for (s, d) in durations.enumerated() where runs[s] > 0 { busy += Double(runs[s]) * d.reduce(0, +) }
        let end = max(host, gpu) + p.stepOverhead
        timeline?.stepTime = end
        return Result(
            stepTime: end, durations: durations, segmentRuns: runs, hostWaitTime: wait, gpuBusyTime: busy, phaseWall: phaseWall,
            layerWall: layerWall, timeline: timeline)
    }

    /// Simulates one segment from host time 0 with the GPU busy until `offset`, as discrete events.
    private func simulate(_ seg: Segment, durations: [Double], offset: Double, params p: CalibrationParameters, detailed: Bool) -> SegmentRun {
        var queue = Heap<EngineEvent>()
        var sequence = 0
        func push(_ t: Double, _ a: EngineEvent.Action) {
            queue.insert(EngineEvent(time: t, sequence: sequence, action: a))
            sequence += 1
        }
        var streamFree = offset
        var pendingKernels = offset > 0 ? 1 : 0
        if offset > 0 { push(offset, .kernelDone(stream: 0)) }
        var starts = detailed ? [Double](repeating: 0, count: seg.kernels.count) : []
        var issues = detailed ? [Double](repeating: 0, count: seg.kernels.count) : []
        var syncs: [Timeline.SyncSpan] = []
        var memory: [(Double, Double)] = []
        var pc = 0
        var host = 0.0
        var blockedSince: Double? = nil
        var wait = 0.0
        push(0, .hostReady)
        while let e = queue.popMin() {
            switch e.action {
            case .kernelDone:
                pendingKernels -= 1
                if pendingKernels == 0, let since = blockedSince {
                    blockedSince = nil
                    wait += e.time - since
                    if detailed { syncs.append(Timeline.SyncSpan(start: since, end: e.time)) }
                    push(e.time + p.hostSync, .hostReady)
                }
            case .hostReady:
                host = e.time
                // Issue operations until the host must advance its clock.
                while pc < seg.ops.count {
                    let op = seg.ops[pc]
                    pc += 1
                    switch op {
                    case .launch(let i):
                        let k = Int(i)
                        let perLaunch: Double
                        switch seg.kernels[k].phase {
                        case .forward, .recompute: perLaunch = p.hostLaunchForward
                        case .backward: perLaunch = p.hostLaunchBackward
                        case .optimizer: perLaunch = p.hostLaunchOptimizer
                        }
                        let issued = host + perLaunch
                        let start = max(issued, streamFree)
                        streamFree = start + durations[k]
                        pendingKernels += 1
                        push(streamFree, .kernelDone(stream: 0))
                        if detailed { starts[k] = start; issues[k] = issued }
                        push(issued, .hostReady)
                    case .sync:
                        if pendingKernels == 0 {
                            push(host + p.hostSync, .hostReady)
                        } else {
                            blockedSince = host
                        }
                    case .hostCall(let call):
                        push(host + (call == .quantizedLinear ? p.hostQuantizedLinear : p.hostLoRALinear), .hostReady)
                    case .alloc(let b):
                        if detailed { memory.append((host, b)) }
                        continue
                    case .free(let b):
                        if detailed { memory.append((host, -b)) }
                        continue
                    }
                    break
                }
            }
        }
        return SegmentRun(
            hostAdvance: host, gpuOffset: max(0, streamFree - host), wait: wait, starts: starts, issues: issues, syncs: syncs,
            memory: memory)
    }
}
