import Foundation

/// What launches, eager ops, synchronizations and optimizer launches cost on the CPU side, measured in a
/// PyTorch profiler (Kineto) trace: the figures the host parameters (`host_launch_forward_s`,
/// `host_launch_backward_s`, `host_launch_optimizer_s`, `host_sync_s`) are derived from.
///
/// Events used: `ph == "X"` events of category `cpu_op`, `cuda_runtime`, `cuda_driver`, `user_annotation`,
/// `kernel`, `gpu_memcpy` and `gpu_memset`; `ts`/`dur` in µs; a CPU thread is (`pid`, `tid`); a runtime call and
/// the GPU work it launched share `args.correlation`. How each figure is computed:
/// - `launch_call`: the duration of every `cudaLaunchKernel*`, `cudaLaunchCooperativeKernel*` and
///   `cuLaunchKernel*` call.
/// - Top-level ops: per thread, a `cpu_op` not inside another `cpu_op` of that thread (`ProfilerStep#` ranges
///   and `user_annotation` ranges do not count as ops). An op *launches exactly one kernel* when exactly one
///   launch call lies within it on its thread and no copy, memset, synchronize or graph-launch call does.
/// - Threads: the *main* thread holds the `ProfilerStep#` annotations (else the most top-level ops); an
///   *autograd* thread is any other thread with a top-level `autograd::engine::evaluate_function` op.
/// - `forward_op_one_kernel`: the duration of each one-kernel top-level op on the main thread, except
///   `autograd::engine::evaluate_function` ops and ops inside an `Optimizer.*` annotation: the dispatcher,
///   the op's CPU work and its launch, for one eager op.
/// - `backward_op_one_kernel`: the same for top-level ops on autograd threads and `evaluate_function` ops on the
///   main thread: one autograd node (engine, backward function, launch) that launches one kernel.
/// - `optimizer_launch_call`: launch-call durations of the kernels whose name contains `multi_tensor_apply`.
/// - `optimizer_launch_interval`: for each such launch followed, as the thread's next launch, by another one,
///   the time between the two calls' starts: the host cost per multi-tensor launch in the optimizer's loop.
/// - `sync_beyond_wait`: for each `cudaStreamSynchronize`, `cudaDeviceSynchronize` or `cudaEventSynchronize`
///   call, its end minus the later of its start and the last end of any GPU kernel, copy or memset that ended
///   before the call returned: the host's cost beyond waiting for the GPU.
/// - `d2h_copy_beyond_copy`: for each `cudaMemcpy*` call whose correlated GPU copy is device-to-host (`DtoH`)
///   and ended while the call was running, the call's end minus the copy's end.
///
/// Distributions: count, median, p10, p90 (linear interpolation between order statistics, position
/// (n − 1)·p) and mean, in seconds.
public struct HostCostProfile: Sendable, Equatable {
    /// The summary of one figure's samples, in seconds.
    public struct Distribution: Sendable, Equatable {
        /// Number of samples.
        public var count: Int
        /// Median (0 when there are no samples).
        public var median_s: Double
        /// 10th percentile.
        public var p10_s: Double
        /// 90th percentile.
        public var p90_s: Double
        /// Mean.
        public var mean_s: Double

        /// Summarizes samples (seconds).
        public init(samples: [Double]) {
            let sorted = samples.sorted()
            count = sorted.count
            func quantile(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let position = Double(sorted.count - 1) * p
                let low = Int(position.rounded(.down))
                let high = min(low + 1, sorted.count - 1)
                return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
            }
            median_s = quantile(0.5)
            p10_s = quantile(0.1)
            p90_s = quantile(0.9)
            mean_s = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        }
    }

    /// One measured figure.
    public struct Figure: Sendable, Equatable {
        /// Stable key, e.g. `forward_op_one_kernel`.
        public var key: String
        /// What is measured, in a few words.
        public var summary: String
        /// The calibration parameter it feeds, when one.
        public var parameter: String?
        /// Its samples' distribution.
        public var distribution: Distribution
    }

    /// The trace file.
    public var source: String
    /// The figures, in a fixed order.
    public var figures: [Figure]
    /// GPU kernels in the trace.
    public var kernelCount: Int
    /// Launch calls in the trace.
    public var launchCount: Int
    /// Top-level CPU ops (all threads).
    public var topLevelOpCount: Int
    /// The main thread as `pid/tid`, when any CPU op was found.
    public var mainThread: String?
    /// Autograd engine threads as `pid/tid`.
    public var autogradThreads: [String]

    /// The figure with this key.
    public subscript(key: String) -> Figure? { figures.first { $0.key == key } }

    /// Reads a Kineto trace (`.json` or `.json.gz`) and computes its host costs.
    public static func load(path: String) throws(SimulatorError) -> HostCostProfile {
        try parse(data: TraceFile.readMaybeGzip(path), source: path)
    }

    /// Computes the host costs of Kineto JSON (already decompressed); `source` names it in errors.
    public static func parse(data: Data, source: String) throws(SimulatorError) -> HostCostProfile {
        guard data.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw SimulatorError(source: source, "not JSON: the file is empty")
        }
        let file: HostTraceFile
        do {
            file = try JSONDecoder().decode(HostTraceFile.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw SimulatorError(source: source, "not JSON: \(KinetoTraceParser.syntaxProblem(in: data))")
            }
            if case .keyNotFound(let key, _) = error, key.stringValue == "traceEvents" {
                throw SimulatorError(source: source, key: "traceEvents", "JSON object has no traceEvents list; not a Kineto/Chrome trace")
            }
            throw SimulatorError(source: source, key: "traceEvents", "expected a list of event objects")
        } catch {
            throw SimulatorError(source: source, "not JSON: \(TraceText.oneLine(String(describing: error)))")
        }
        return try HostCostAnalysis(events: file.traceEvents, source: source).profile()
    }
}

// MARK: - Analysis

/// One CPU or GPU interval of the trace, in µs.
private struct HostInterval {
    var name: String
    var ts: Double
    var dur: Double
    var thread: String
    var correlation: Int?
    var end: Double { ts + dur }
}

private struct HostCostAnalysis {
    static let backwardPrefix = "autograd::engine::evaluate_function"

    var source: String
    var ops: [String: [HostInterval]] = [:]
    var runtime: [String: [HostInterval]] = [:]
    var annotations: [HostInterval] = []
    var kernels: [HostInterval] = []
    var copies: [HostInterval] = []
    var gpuEnds: [Double] = []

    init(events: [HostEvent], source: String) throws(SimulatorError) {
        self.source = source
        for (index, event) in events.enumerated() {
            guard event.ph == "X", let cat = event.cat, let category = HostEvent.Category(rawValue: cat) else { continue }
            let name = event.name ?? ""
            func number(_ value: KinetoValue?, _ field: String) throws(SimulatorError) -> Double {
                guard let value, let n = value.number else {
                    throw SimulatorError(
                        source: source, key: "traceEvents[\(index)].\(field)",
                        "\(cat) event '\(TraceText.short(name))' has no numeric \(field): \(value?.shown ?? "missing")")
                }
                if field == "dur" && n < 0 {
                    throw SimulatorError(
                        source: source, key: "traceEvents[\(index)].dur",
                        "\(cat) event '\(TraceText.short(name))' has a negative duration: \(TraceText.number(n)) µs")
                }
                return n
            }
            let interval = HostInterval(
                name: name, ts: try number(event.ts, "ts"), dur: try number(event.dur, "dur"),
                thread: "\(event.pid?.label ?? "?")/\(event.tid?.label ?? "?")", correlation: event.correlation?.integer)
            switch category {
            case .cpuOp:
                if name.hasPrefix("ProfilerStep#") {
                    annotations.append(interval)
                } else {
                    ops[interval.thread, default: []].append(interval)
                }
            case .annotation: annotations.append(interval)
            case .runtime, .driver: runtime[interval.thread, default: []].append(interval)
            case .kernel:
                kernels.append(interval)
                gpuEnds.append(interval.end)
            case .memcpy:
                copies.append(interval)
                gpuEnds.append(interval.end)
            case .memset: gpuEnds.append(interval.end)
            }
        }
        guard !ops.isEmpty || !runtime.isEmpty else {
            throw SimulatorError(
                source: source, key: "traceEvents",
                "no CPU-side events (cpu_op, cuda_runtime or cuda_driver): record the profile with CPU activity to measure host costs")
        }
        for key in ops.keys { ops[key]!.sort { $0.ts != $1.ts ? $0.ts < $1.ts : $0.dur > $1.dur } }
        for key in runtime.keys { runtime[key]!.sort { $0.ts < $1.ts } }
        gpuEnds.sort()
    }

    static func isLaunch(_ name: String) -> Bool {
        name.hasPrefix("cudaLaunchKernel") || name.hasPrefix("cuLaunchKernel") || name.hasPrefix("cudaLaunchCooperativeKernel")
    }

    /// Copies, memsets, synchronizations and graph launches: an op making one is not a plain one-kernel op.
    static func isOtherWork(_ name: String) -> Bool {
        name.hasPrefix("cudaMemcpy") || name.hasPrefix("cudaMemset") || name.hasPrefix("cuMemcpy") || name.hasPrefix("cuMemset")
            || name.hasSuffix("Synchronize") || name.hasPrefix("cudaGraphLaunch") || name.hasPrefix("cuGraphLaunch")
    }

    static func isSync(_ name: String) -> Bool {
        name == "cudaStreamSynchronize" || name == "cudaDeviceSynchronize" || name == "cudaEventSynchronize"
    }

    /// Top-level ops of one thread (its ops sorted by start, longest first).
    static func topLevel(_ sorted: [HostInterval]) -> [HostInterval] {
        var out: [HostInterval] = []
        var end = -Double.infinity
        for op in sorted where op.ts >= end {
            out.append(op)
            end = op.end
        }
        return out
    }

    /// Index of the first interval starting at or after `ts` in a list sorted by start.
    static func firstIndex(_ list: [HostInterval], from ts: Double) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].ts < ts { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func profile() -> HostCostProfile {
        let tops = ops.mapValues(Self.topLevel)
        var stepCounts: [String: Int] = [:]
        for a in annotations where a.name.hasPrefix("ProfilerStep#") { stepCounts[a.thread, default: 0] += 1 }
        func busiest(_ counts: [String: Int]) -> String? {
            counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        }
        let mainThread = busiest(stepCounts) ?? busiest(tops.mapValues(\.count))
        let autograd = tops.filter { $0.key != mainThread && $0.value.contains { $0.name.hasPrefix(Self.backwardPrefix) } }.keys.sorted()
        let optimizerRanges = annotations.filter { $0.thread == mainThread && $0.name.hasPrefix("Optimizer.") }

        var forward: [Double] = [], backward: [Double] = []
        for (thread, list) in tops {
            let isMain = thread == mainThread
            guard isMain || autograd.contains(thread) else { continue }
            let calls = runtime[thread] ?? []
            for op in list {
                var launches = 0, other = 0
                var i = Self.firstIndex(calls, from: op.ts)
                while i < calls.count, calls[i].ts <= op.end {
                    if calls[i].end <= op.end {
                        if Self.isLaunch(calls[i].name) { launches += 1 } else if Self.isOtherWork(calls[i].name) { other += 1 }
                    }
                    i += 1
                }
                guard launches == 1, other == 0 else { continue }
                let seconds = op.dur * 1e-6
                if !isMain || op.name.hasPrefix(Self.backwardPrefix) {
                    backward.append(seconds)
                } else if !optimizerRanges.contains(where: { $0.ts <= op.ts && op.end <= $0.end }) {
                    forward.append(seconds)
                }
            }
        }

        var launchCalls: [Double] = []
        var callsByCorrelation: [Int: HostInterval] = [:]
        for list in runtime.values {
            for call in list {
                if Self.isLaunch(call.name) { launchCalls.append(call.dur * 1e-6) }
                if let c = call.correlation { callsByCorrelation[c] = call }
            }
        }

        // Optimizer: launches of multi-tensor-apply kernels, and the gap to the thread's next launch when it is one too.
        var optimizerCorrelations = Set<Int>()
        var optimizerCalls: [Double] = []
        for kernel in kernels where kernel.name.contains("multi_tensor_apply") {
            guard let c = kernel.correlation, let call = callsByCorrelation[c], Self.isLaunch(call.name) else { continue }
            if optimizerCorrelations.insert(c).inserted { optimizerCalls.append(call.dur * 1e-6) }
        }
        var optimizerIntervals: [Double] = []
        for list in runtime.values {
            let launches = list.filter { Self.isLaunch($0.name) }
            for (a, b) in zip(launches, launches.dropFirst()) {
                guard let ca = a.correlation, let cb = b.correlation, optimizerCorrelations.contains(ca), optimizerCorrelations.contains(cb)
                else { continue }
                optimizerIntervals.append((b.ts - a.ts) * 1e-6)
            }
        }

        // Synchronizations: the time after the last GPU completion before the call returned.
        var syncs: [Double] = []
        for list in runtime.values {
            for call in list where Self.isSync(call.name) {
                var low = 0, high = gpuEnds.count
                while low < high {
                    let mid = (low + high) / 2
                    if gpuEnds[mid] <= call.end { low = mid + 1 } else { high = mid }
                }
                guard low > 0 else { continue }
                syncs.append((call.end - max(call.ts, gpuEnds[low - 1])) * 1e-6)
            }
        }
        var d2h: [Double] = []
        for copy in copies where copy.name.contains("DtoH") {
            guard let c = copy.correlation, let call = callsByCorrelation[c],
                call.name.hasPrefix("cudaMemcpy") || call.name.hasPrefix("cuMemcpy"),
                copy.end <= call.end, copy.end >= call.ts
            else { continue }
            d2h.append((call.end - copy.end) * 1e-6)
        }

        func figure(_ key: String, _ summary: String, _ parameter: String?, _ samples: [Double]) -> HostCostProfile.Figure {
            HostCostProfile.Figure(key: key, summary: summary, parameter: parameter, distribution: .init(samples: samples))
        }
        let figures = [
            figure("launch_call", "cudaLaunchKernel / cuLaunchKernel call", nil, launchCalls),
            figure("forward_op_one_kernel", "main-thread aten op launching one kernel", "host_launch_forward_s", forward),
            figure("backward_op_one_kernel", "autograd node launching one kernel", "host_launch_backward_s", backward),
            figure("optimizer_launch_call", "multi_tensor_apply launch call", nil, optimizerCalls),
            figure("optimizer_launch_interval", "multi_tensor_apply launch to next", "host_launch_optimizer_s", optimizerIntervals),
            figure("sync_beyond_wait", "stream/device sync after the GPU is done", "host_sync_s", syncs),
            figure("d2h_copy_beyond_copy", "D2H cudaMemcpy after its copy ended", "host_sync_s", d2h),
        ]
        return HostCostProfile(
            source: source, figures: figures, kernelCount: kernels.count, launchCount: launchCalls.count,
            topLevelOpCount: tops.values.reduce(0) { $0 + $1.count }, mainThread: mainThread, autogradThreads: autograd)
    }
}

// MARK: - Decoding only the needed fields

private struct HostTraceFile: Decodable {
    var traceEvents: [HostEvent]

    private enum Keys: String, CodingKey { case traceEvents }

    init(from decoder: any Decoder) throws {
        if let events = try? decoder.singleValueContainer().decode([HostEvent].self) {
            traceEvents = events  // the Chrome-trace "JSON array" form: the events alone
            return
        }
        traceEvents = try decoder.container(keyedBy: Keys.self).decode([HostEvent].self, forKey: .traceEvents)
    }
}

private struct HostEvent: Decodable {
    enum Category: String {
        case cpuOp = "cpu_op"
        case annotation = "user_annotation"
        case runtime = "cuda_runtime"
        case driver = "cuda_driver"
        case kernel
        case memcpy = "gpu_memcpy"
        case memset = "gpu_memset"
    }

    var ph: String?
    var cat: String?
    var name: String?
    var ts: KinetoValue?
    var dur: KinetoValue?
    var pid: KinetoValue?
    var tid: KinetoValue?
    var correlation: KinetoValue?

    private enum Keys: String, CodingKey { case ph, cat, name, ts, dur, pid, tid, args }
    private enum ArgKeys: String, CodingKey { case correlation }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        ph = try? container.decodeIfPresent(String.self, forKey: .ph)
        guard ph == "X", let cat = try? container.decodeIfPresent(String.self, forKey: .cat), Category(rawValue: cat) != nil else { return }
        self.cat = cat
        name = try? container.decodeIfPresent(String.self, forKey: .name)
        ts = try container.decodeIfPresent(KinetoValue.self, forKey: .ts)
        dur = try container.decodeIfPresent(KinetoValue.self, forKey: .dur)
        pid = try container.decodeIfPresent(KinetoValue.self, forKey: .pid)
        tid = try container.decodeIfPresent(KinetoValue.self, forKey: .tid)
        if let args = try? container.nestedContainer(keyedBy: ArgKeys.self, forKey: .args) {
            correlation = try args.decodeIfPresent(KinetoValue.self, forKey: .correlation)
        }
    }
}

extension KinetoValue {
    /// A thread or process id as text: integers without a fraction, strings as written.
    fileprivate var label: String {
        if let n = integer { return String(n) }
        if case .string(let text) = self { return text }
        return shown
    }
}
