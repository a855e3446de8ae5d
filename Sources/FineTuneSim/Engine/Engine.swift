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
        /// Seconds from the first host operation to the end of the last kernel or of the trainer's per-step
        /// host work, whichever is later.
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
        var hostSpans: [Timeline.HostSpan]
        var memory: [(Double, Double)]
    }

    /// Runs one step of a program.
    public func run(_ program: Program, recordTimeline: Bool = false) -> Result {
        let p = cost.parameters
        var durations: [[Double]] = []
        durations.reserveCapacity(program.segments.count)
        for s in program.segments { durations.append(s.kernels.map { cost.streamDuration($0) }) }
        var runs = Array(repeating: 0, count: program.segments.count)
        var memo: [MemoKey: SegmentRun] = [:]
        var host = 0.0
        // The GPU's lead over the host (≥ 0), carried exactly so repeated segments find their memo entries.
        var offset = 0.0
        var wait = 0.0
        var timeline = recordTimeline ? Timeline() : nil
        var memLevel = program.residentBytes
        // Each segment's phase and its layer-type shares, for the wall-time breakdowns.
        var segmentPhase: [Phase] = []
        var segmentShares: [[(LayerType, Double)]] = []
        for (si, seg) in program.segments.enumerated() {
            segmentPhase.append(seg.kernels.first?.phase.reported ?? .forward)
            var w = [Double](repeating: 0, count: LayerType.allCases.count)
            var total = 0.0
            for (ki, k) in seg.kernels.enumerated() {
                let launch =
                    k.phase == .backward ? p.hostLaunchBackward : (k.phase == .optimizer ? p.hostLaunchOptimizer : p.hostLaunchForward)
                let c = max(durations[si][ki], launch)
                w[k.layer.ordinal] += c
                total += c
            }
            segmentShares.append(LayerType.allCases.compactMap { l in w[l.ordinal] > 0 ? (l, total > 0 ? w[l.ordinal] / total : 0) : nil })
        }
        let hasSync = program.segments.map { $0.ops.contains(.sync) }
        let busyPerSegment = durations.map { $0.reduce(0, +) }
        var phaseWall: [Phase: Double] = [:]
        var layerWall: [LayerType: Double] = [:]
        for s in program.order {
            let before = host + offset
            runs[s] += 1
            var r: SegmentRun
            if !recordTimeline && !hasSync[s] {
                // A segment without synchronizations never makes the host wait, so its host advance H does not
                // depend on the offset d, and on an in-order stream the GPU ends at max(d + ΣD, E₀), with E₀ its
                // end when started idle. One event simulation at d = 0 gives both, exactly.
                let base: SegmentRun
                if let hit = memo[MemoKey(segment: s, offset: 0)] {
                    base = hit
                } else {
                    base = simulate(program.segments[s], durations: durations[s], offset: 0, params: p, detailed: false)
                    memo[MemoKey(segment: s, offset: 0)] = base
                }
                r = base
                r.gpuOffset = max(0, max(offset + busyPerSegment[s], base.hostAdvance + base.gpuOffset) - base.hostAdvance)
            } else {
                let key = MemoKey(segment: s, offset: offset)
                if let hit = memo[key] {
                    r = hit
                } else {
                    r = simulate(program.segments[s], durations: durations[s], offset: offset, params: p, detailed: recordTimeline)
                    memo[key] = r
                }
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
                for sp in r.hostSpans {
                    timeline!.host.append(
                        Timeline.HostSpan(segment: Int32(s), activity: sp.activity, start: host + sp.start, end: host + sp.end))
                }
                for (t, delta) in r.memory {
                    memLevel += delta
                    timeline!.memory.append((host + t, memLevel))
                }
            }
            wait += r.wait
            host += r.hostAdvance
            offset = r.gpuOffset
            let wall = host + offset - before
            phaseWall[segmentPhase[s], default: 0] += wall
            for (l, share) in segmentShares[s] { layerWall[l, default: 0] += wall * share }
        }
        var busy = 0.0
        for s in durations.indices where runs[s] > 0 { busy += Double(runs[s]) * busyPerSegment[s] }
        // The trainer's per-step bookkeeping runs on the host while the GPU finishes the optimizer's kernels.
        let end = host + max(offset, p.hostStep)
        timeline?.stepTime = end
        if p.hostStep > 0 {
            timeline?.host.append(Timeline.HostSpan(segment: -1, activity: .stepOverhead, start: host, end: host + p.hostStep))
        }
        return Result(
            stepTime: end, durations: durations, segmentRuns: runs, hostWaitTime: wait, gpuBusyTime: busy, phaseWall: phaseWall,
            layerWall: layerWall, timeline: timeline)
    }

    /// Simulates one segment from host time 0 with the GPU busy until `offset`, as discrete events.
    ///
    /// The queue holds the host thread's next step and, while the host waits at a synchronization, the
    /// moment the stream drains. A launch appends to the in-order stream (it starts when both the launch
    /// has been issued and the stream is free), so no per-kernel completion event is needed.
    private func simulate(_ seg: Segment, durations: [Double], offset: Double, params p: CalibrationParameters, detailed: Bool)
        -> SegmentRun
    {
        var queue = Heap<EngineEvent>()
        var sequence = 0
        func push(_ t: Double, _ a: EngineEvent.Action) {
            queue.insert(EngineEvent(time: t, sequence: sequence, action: a))
            sequence += 1
        }
        var streamFree = offset
        var starts = detailed ? [Double](repeating: 0, count: seg.kernels.count) : []
        var issues = detailed ? [Double](repeating: 0, count: seg.kernels.count) : []
        var syncs: [Timeline.SyncSpan] = []
        var hostSpans: [Timeline.HostSpan] = []
        if detailed { hostSpans.reserveCapacity(seg.ops.count) }
        var memory: [(Double, Double)] = []
        var pc = 0
        var host = 0.0
        var blockedSince = 0.0
        var wait = 0.0
        push(0, .hostReady)
        while let e = queue.popMin() {
            switch e.action {
            case .kernelDone:
                // The stream drained while the host was blocked at a synchronization.
                wait += e.time - blockedSince
                if detailed {
                    syncs.append(Timeline.SyncSpan(start: blockedSince, end: e.time))
                    if p.hostSync > 0 {
                        hostSpans.append(Timeline.HostSpan(segment: 0, activity: .sync, start: e.time, end: e.time + p.hostSync))
                    }
                }
                push(e.time + p.hostSync, .hostReady)
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
                        if detailed {
                            starts[k] = start
                            issues[k] = issued
                            hostSpans.append(Timeline.HostSpan(segment: 0, activity: .launch(kernel: i), start: host, end: issued))
                        }
                        push(issued, .hostReady)
                    case .sync:
                        if streamFree <= host {
                            if detailed && p.hostSync > 0 {
                                hostSpans.append(Timeline.HostSpan(segment: 0, activity: .sync, start: host, end: host + p.hostSync))
                            }
                            push(host + p.hostSync, .hostReady)
                        } else {
                            blockedSince = host
                            push(streamFree, .kernelDone(stream: 0))
                        }
                    case .hostCall(let call):
                        let cost: Double
                        switch call {
                        case .quantizedLinear: cost = p.hostQuantizedLinear
                        case .loraLinear: cost = p.hostLoRALinear
                        case .listElements(let n): cost = n * p.hostListElement
                        }
                        if detailed && cost > 0 {
                            hostSpans.append(Timeline.HostSpan(segment: 0, activity: .frameworkCall(call), start: host, end: host + cost))
                        }
                        push(host + cost, .hostReady)
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
            hostSpans: hostSpans, memory: memory)
    }
}
