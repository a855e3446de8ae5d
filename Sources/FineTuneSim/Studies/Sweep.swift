import Foundation

/// A parameter sweep: every configuration of ``SweepAxes`` simulated, one ``SweepRow`` each.
///
/// Models, GPUs, datasets and methods are resolved once, up front (bad ids fail before any work). Rows are
/// computed on several threads and written in index order (a reorder buffer), each flushed as soon as
/// every row before it is written, so an interrupted sweep leaves a prefix that `resume` completes.
public final class Sweep: @unchecked Sendable {
    /// Output format.
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    /// The largest batch `max_batch` looks for.
    public static let maxBatchLimit = 1024

    public let axes: SweepAxes
    public let parameters: CalibrationParameters
    /// Dollars per GPU-hour by GPU id.
    public let prices: [String: Double]
    /// Dataset lengths simulated per dataset-aware configuration (quantile quadrature); nil: every length.
    public let maxLengths: Int?

    private let models: [String: ModelSpec]
    private let gpus: [String: GPUSpec]
    private let datasets: [String: Dataset]
    private var resolved: [String: (ModelSpec, FineTuneMethod)] = [:]
    private var maxBatches: [String: Int] = [:]
    private let lock = NSLock()

    /// Resolves every model, GPU, dataset, method and top-k of the axes.
    public init(
        axes: SweepAxes, catalog: ConfigCatalog, parameters: CalibrationParameters, prices: [String: Double] = [:], maxLengths: Int? = nil
    ) throws(SimulatorError) {
        try axes.validate()
        if let n = maxLengths, n < 1 { throw SimulatorError(source: "--max-lengths", "must be at least 1, got \(n)") }
        self.axes = axes
        self.parameters = parameters
        self.prices = prices
        self.maxLengths = maxLengths
        var ms: [String: ModelSpec] = [:], gs: [String: GPUSpec] = [:], ds: [String: Dataset] = [:]
        for m in axes.models where ms[m] == nil { ms[m] = try catalog.model(m) }
        for g in axes.gpus where gs[g] == nil { gs[g] = try catalog.gpu(g) }
        for s in axes.shapes { if case .dataset(let d) = s, ds[d] == nil { ds[d] = try catalog.dataset(d) } }
        models = ms
        gpus = gs
        datasets = ds
        for m in axes.models {
            for me in axes.methods {
                for k in axes.topKs {
                    let base = ms[m]!
                    let model = try Simulator.model(base, topK: k)
                    let method = try MethodOverrides(method: me).apply(to: base.preset)
                    try method.validateLoRATargets(model: base, source: "\(base.id) preset lora_targets")
                    resolved[Self.key(m, me, k)] = (model, method)
                }
            }
        }
    }

    private static func key(_ m: String, _ me: FineTuneMethod.Kind?, _ k: Int?) -> String {
        "\(m)\u{1}\(me?.rawValue ?? "")\u{1}\(k.map(String.init) ?? "")"
    }

    /// The model (with top-k) and method of a configuration.
    public func resolve(_ c: SweepConfiguration) -> (model: ModelSpec, method: FineTuneMethod) {
        let r = resolved[Self.key(c.model, c.method, c.topK)]!
        return (r.0, r.1)
    }

    /// The configuration's input columns, as a row of this sweep renders them (for matching on resume).
    public func inputPrefix(_ c: SweepConfiguration, format: Format) -> String {
        let (model, method) = resolve(c)
        let v = SweepRow.inputValues(c, method: method.kind.rawValue, topK: model.moe?.topK)
        switch format {
        case .csv: return SweepRow.csv(v) + ","
        case .jsonl:
            let s = JSONValue.object(Array(zip(SweepRow.inputColumns, v))).rendered(pretty: false)
            return String(s.dropLast()) + ","
        }
    }

    /// Simulates one configuration.
    public func evaluate(_ c: SweepConfiguration) -> SweepRow {
        let (model, method) = resolve(c)
        let gpu = gpus[c.gpu]!.scaled(bandwidth: c.bandwidthScale, sms: c.smsScale, compute: c.computeScale, memory: c.memoryScale)
        let sim = Simulator(gpu: gpu, parameters: parameters)
        let report: StepReport
        switch c.shape {
        case .seq(let n): report = sim.simulate(model: model, method: method, workload: Workload(batch: c.batch, seq: n))
        case .dataset(let d):
            report = DatasetSimulation(simulator: sim).simulate(
                model: model, method: method, dataset: datasets[d]!, batch: c.batch, maxLengths: maxLengths)
        }
        let fb =
            (StepReport.layerOrder.compactMap { report.layers[$0] }
            + report.layers.keys.sorted().filter { !StepReport.layerOrder.contains($0) }.map { report.layers[$0]! }).reduce(0, +)
        let price = prices[c.gpu] ?? prices[gpus[c.gpu]!.id]
        return SweepRow(
            configuration: c, method: method.kind.rawValue, topK: model.moe?.topK, fits: report.fits, stepTime: report.stepTime,
            throughput: report.throughput, tokensPerSecond: report.tokensPerSecond, peakMemoryGB: report.memory.peakGB,
            maxBatch: maxBatch(c, model: model, method: method, gpu: gpu),
            usdPerMillionTokens: price.map { $0 / 3600 / report.tokensPerSecond * 1e6 },
            moeShare: fb > 0 ? (report.layers["moe"] ?? 0) / fb : 0)
    }

    /// The largest batch (≤ ``maxBatchLimit``) whose step fits, by doubling then bisection over the memory
    /// estimate (at the dataset's longest padded length for a dataset); memoized over what memory depends on.
    private func maxBatch(_ c: SweepConfiguration, model: ModelSpec, method: FineTuneMethod, gpu: GPUSpec) -> Int {
        let seq: Int
        switch c.shape {
        case .seq(let n): seq = n
        case .dataset(let d): seq = datasets[d]!.longestPadded
        }
        let key = "\(Self.key(c.model, c.method, c.topK))\u{1}\(c.gpu)\u{1}\(seq)\u{1}\(c.memoryScale)"
        lock.lock()
        if let v = maxBatches[key] { lock.unlock(); return v }
        lock.unlock()
        let result = MaxBatch(parameters: parameters, limit: Self.maxBatchLimit)
            .search(model: model, method: method, seq: seq, capacityBytes: gpu.memoryBytes).maxBatch
        lock.lock()
        maxBatches[key] = result
        lock.unlock()
        return result
    }

    /// Computes `configurations` on `jobs` threads and hands each row to `emit` in the given order,
    /// as soon as it and every row before it are done. `emit` runs on the calling thread.
    public func run(_ configurations: [SweepConfiguration], jobs: Int, emit: (SweepRow) throws -> Void) rethrows {
        let n = configurations.count
        guard n > 0 else { return }
        let workers = max(1, min(jobs, n))
        if workers == 1 {
            for c in configurations { try emit(evaluate(c)) }
            return
        }
        let state = ReorderBuffer(count: n)
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread.detachNewThread { [self] in
                while let i = state.claim() { state.put(i, evaluate(configurations[i])) }
                group.leave()
            }
        }
        defer { state.cancel(); group.wait() }
        for i in 0..<n { try emit(state.take(i)) }
    }

    /// Slots filled by workers and taken in order by the writer.
    private final class ReorderBuffer: @unchecked Sendable {
        private let condition = NSCondition()
        private var next = 0
        private var cancelled = false
        private var slots: [SweepRow?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func claim() -> Int? {
            condition.lock(); defer { condition.unlock() }
            guard !cancelled, next < slots.count else { return nil }
            next += 1
            return next - 1
        }
        func put(_ i: Int, _ row: SweepRow) {
            condition.lock()
            slots[i] = row
            condition.broadcast()
            condition.unlock()
        }
        func take(_ i: Int) -> SweepRow {
            condition.lock(); defer { condition.unlock() }
            while slots[i] == nil { condition.wait() }
            let r = slots[i]!
            slots[i] = nil
            return r
        }
        func cancel() {
            condition.lock()
            cancelled = true
            condition.unlock()
        }
    }
}
