/// A simulated step as Chrome trace-event JSON (`chrome://tracing`, Perfetto, Speedscope).
///
/// One process, "FineTuneSim step", with two threads: "host" (tid 0), holding one "sync wait" slice per
/// host–device synchronization, and "GPU stream 0" (tid 1), holding one complete event (`ph` "X") per
/// kernel with `cat` = its kind and `args` {kind, layer, phase, flops, bytes}. Device memory in use is a
/// counter track named "memory" (`args` {"GB": …}). Times are microseconds from the step's start. The
/// output is deterministic: the same run gives the same bytes.
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
            Self.meta("thread_sort_index", tid: Self.hostThread, args: [("sort_index", .int(0))]),
            Self.meta("thread_sort_index", tid: Self.streamThread, args: [("sort_index", .int(1))]),
        ]
        e.reserveCapacity(e.count + timeline.kernels.count + timeline.syncs.count + timeline.memory.count)
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
        for s in timeline.syncs {
            e.append(
                .object([
                    ("name", .string("sync wait")), ("cat", .string("sync")), ("ph", .string("X")), ("pid", .int(Self.pid)),
                    ("tid", .int(Self.hostThread)), ("ts", Self.us(s.start)), ("dur", Self.us(s.end - s.start)),
                ]))
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
