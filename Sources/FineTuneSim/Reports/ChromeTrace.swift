/// A simulated step as Chrome trace-event JSON (`chrome://tracing`, Perfetto, Speedscope).
///
/// One process, "FineTuneSim step", with three threads:
/// - "host" (tid 0): the host thread's work and waits, in time order — one slice per kernel launch (`cat`
///   "launch", named after the kernel), per Python framework call (`cat` "framework": the peft LoRA or
///   bitsandbytes wrapper), per synchronization's own cost (`cat` "sync", "sync"), the step overhead (`cat`
///   "host"), and one "sync wait" slice (`cat` "sync") per host–device synchronization;
/// - "GPU stream 0" (tid 1): one complete event (`ph` "X") per kernel with `cat` = its kind and `args`
///   {kind, layer, phase, flops, bytes};
/// - "GPU idle (waiting for the host)" (tid 2): one slice (`cat` "host_bound") per gap in which the stream
///   has no launched kernel to run; their durations add up to the report's `host_bound_s`.
///
/// Device memory in use is a counter track named "memory" (`args` {"GB": …}). Times are microseconds from
/// the step's start. The output is deterministic: the same run gives the same bytes.
public struct ChromeTrace: Sendable {
    /// The lowered step.
    public let program: Program
    /// Its timeline (from `Simulator.run(..., recordTimeline: true)`).
    public let timeline: Timeline

    /// Process id used for every event.
    public static let pid = 1
    /// Thread id of the host track.
    public static let hostThread = 0
    /// Thread id of the GPU stream track.
    public static let streamThread = 1
    /// Thread id of the GPU-idle (host-bound) track.
    public static let idleThread = 2

    /// Creates a trace from a program and its timeline.
    public init(program: Program, timeline: Timeline) {
        self.program = program
        self.timeline = timeline
    }

    /// Creates a trace from a run recorded with a timeline; nil when the run has none.
    public init?(run: Simulator.Run) {
        guard let t = run.engine.timeline else { return nil }
        self.init(program: run.program, timeline: t)
    }

    private static func us(_ seconds: Double) -> JSONValue {
        // Rounded to picoseconds so tiny float noise does not leak into the bytes.
        .number((seconds * 1e12).rounded() / 1e6)
    }

    private static func meta(_ name: String, tid: Int?, args: [(String, JSONValue)]) -> JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(name)), ("ph", .string("M")), ("pid", .int(pid))]
        if let t = tid { o.append(("tid", .int(t))) }
        o.append(("args", .object(args)))
        return .object(o)
    }

    /// Every trace event: metadata, then the GPU kernels, the host sync waits and the memory counter.
    public var events: [JSONValue] {
        var e: [JSONValue] = [
            Self.meta("process_name", tid: nil, args: [("name", .string("FineTuneSim step"))]),
            Self.meta("thread_name", tid: Self.hostThread, args: [("name", .string("host"))]),
            Self.meta("thread_name", tid: Self.streamThread, args: [("name", .string("GPU stream 0"))]),
            Self.meta("thread_name", tid: Self.idleThread, args: [("name", .string("GPU idle (waiting for the host)"))]),
            Self.meta("thread_sort_index", tid: Self.hostThread, args: [("sort_index", .int(0))]),
            Self.meta("thread_sort_index", tid: Self.streamThread, args: [("sort_index", .int(1))]),
            Self.meta("thread_sort_index", tid: Self.idleThread, args: [("sort_index", .int(2))]),
        ]
        e.reserveCapacity(e.count + 2 * timeline.kernels.count + timeline.host.count + timeline.syncs.count + timeline.memory.count)
        for span in timeline.kernels {
            let k = program.segments[Int(span.segment)].kernels[Int(span.kernel)]
            e.append(
                .object([
                    ("name", .string(k.name)), ("cat", .string(k.kind.rawValue)), ("ph", .string("X")), ("pid", .int(Self.pid)),
                    ("tid", .int(Self.streamThread + Int(span.stream))), ("ts", Self.us(span.start)),
                    ("dur", Self.us(span.end - span.start)),
                    (
                        "args",
                        .object([
                            ("kind", .string(k.kind.rawValue)), ("layer", .string(k.layer.rawValue)), ("phase", .string(k.phase.rawValue)),
                            ("flops", .number(k.flops)), ("bytes", .number(k.bytes)),
                        ])
                    ),
                ]))
        }
        // The host track in time order: its work (launches, framework calls, sync costs, step overhead) merged
        // with its waits (each wait starts when the host blocks, after the work before it).
        var si = 0
        for h in timeline.host {
            while si < timeline.syncs.count && timeline.syncs[si].start <= h.start {
                let s = timeline.syncs[si]
                e.append(Self.slice("sync wait", cat: "sync", tid: Self.hostThread, start: s.start, end: s.end))
                si += 1
            }
            let name: String
            let cat: String
            switch h.activity {
            case .launch(let k):
                name = program.segments[Int(h.segment)].kernels[Int(k)].name
                cat = "launch"
            case .frameworkCall(let call):
                switch call {
                case .loraLinear: name = "peft LoRA linear"
                case .quantizedLinear: name = "quantized linear (Python)"
                case .listElements: name = "Python list conversion"
                }
                cat = "framework"
            case .sync:
                name = "sync"
                cat = "sync"
            case .stepOverhead:
                name = "trainer step bookkeeping"
                cat = "host"
            }
            e.append(Self.slice(name, cat: cat, tid: Self.hostThread, start: h.start, end: h.end))
        }
        for s in timeline.syncs[si...] {
            e.append(Self.slice("sync wait", cat: "sync", tid: Self.hostThread, start: s.start, end: s.end))
        }
        for gap in Self.idleGaps(timeline) {
            e.append(Self.slice("GPU idle", cat: "host_bound", tid: Self.idleThread, start: gap.start, end: gap.end))
        }
        // The counter: the level before the step, then after each allocation or free.
        var memory: [(time: Double, bytes: Double)] = [(0, program.residentBytes)]
        memory += timeline.memory
        for m in memory {
            e.append(
                .object([
                    ("name", .string("memory")), ("ph", .string("C")), ("pid", .int(Self.pid)), ("tid", .int(Self.hostThread)),
                    ("ts", Self.us(m.time)), ("args", .object([("GB", .number((m.bytes / 1e3).rounded() / 1e6))])),
                ]))
        }
        return e
    }

    private static func slice(_ name: String, cat: String, tid: Int, start: Double, end: Double) -> JSONValue {
        .object([
            ("name", .string(name)), ("cat", .string(cat)), ("ph", .string("X")), ("pid", .int(pid)), ("tid", .int(tid)),
            ("ts", us(start)), ("dur", us(end - start)),
        ])
    }

    /// The stretches in which the GPU stream runs nothing, from the step's start to its end.
    public static func idleGaps(_ timeline: Timeline) -> [(start: Double, end: Double)] {
        var gaps: [(start: Double, end: Double)] = []
        var free = 0.0
        for k in timeline.kernels {  // launch order: start order on one in-order stream
            if k.start > free { gaps.append((free, k.start)) }
            free = max(free, k.end)
        }
        if timeline.stepTime > free { gaps.append((free, timeline.stepTime)) }
        return gaps
    }

    /// The trace file: `{"traceEvents": [...], "displayTimeUnit": "ms"}`, one event per line.
    public func rendered() -> String {
        var out = "{\"traceEvents\":[\n"
        let all = events
        for (i, ev) in all.enumerated() {
            out += ev.rendered(pretty: false)
            out += i == all.count - 1 ? "\n" : ",\n"
        }
        out += "],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"generator\":\"FineTuneSim \(FineTuneSimVersion.string)\"}}\n"
        return out
    }
}
