import FineTuneSim
import Foundation

// ftsim-bench: simulator throughput, measured with a monotonic clock (ContinuousClock) after a warm-up.
// Build in release: `make bench` (swift build -c release --product ftsim-bench && .build/release/ftsim-bench).

let clock = ContinuousClock()

/// Seconds per call of `body`: warm-up, then repeated rounds until `minSeconds` have elapsed; the best
/// round's mean (least disturbed by other load).
func measure(minSeconds: Double = 1.0, warmup: Int = 2, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var best = Double.infinity
    var total = 0.0
    var perRound = 1
    // Size a round to about 0.1 s.
    let probe = clock.measure { body() }
    let probeSeconds = Double(probe.components.seconds) + Double(probe.components.attoseconds) * 1e-18
    perRound = max(1, Int(0.1 / max(probeSeconds, 1e-9)))
    while total < minSeconds {
        let d = clock.measure { for _ in 0..<perRound { body() } }
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        total += s
        best = min(best, s / Double(perRound))
    }
    return best
}

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

let catalog = ConfigCatalog.discover()
let parameters: CalibrationParameters
let a40: GPUSpec
let mixtral: ModelSpec
let blackmamba: ModelSpec
let commonsense: Dataset
do {
    parameters = try catalog.calibration()
    a40 = try catalog.gpu("a40")
    mixtral = try catalog.model("mixtral-8x7b")
    blackmamba = try catalog.model("blackmamba-2.8b")
    commonsense = try catalog.dataset("commonsense15k")
} catch {
    FileHandle.standardError.write(Data("ftsim-bench: \(error)\n".utf8))
    exit(1)
}
let sim = Simulator(gpu: a40, parameters: parameters)
// `ftsim-bench --profile` only repeats fixed-length Mixtral steps for 10 s (for perf / callgrind).
if CommandLine.arguments.contains("--profile") {
    let w = Workload(batch: 8, seq: 128)
    let end = clock.now.advanced(by: .seconds(10))
    var n = 0
    while clock.now < end { _ = sim.simulate(model: mixtral, method: mixtral.preset, workload: w); n += 1 }
    print("\(n) Mixtral steps in 10 s: \(fmt(1e7 / Double(n), 0)) µs/step")
    exit(0)
}
print("ftsim-bench (configs: \(catalog.root), GPU a40, one thread)")
print("")
print("workload                                   steps/s    µs/step   kernels/step   kernel events/s")

func report(_ label: String, kernels: Int, seconds: Double) {
    let pad = label.padding(toLength: 40, withPad: " ", startingAt: 0)
    let s = fmt(1 / seconds, 1).leftPad(9), us = fmt(seconds * 1e6, 0).leftPad(10), k = String(kernels).leftPad(14)
    print("\(pad) \(s) \(us) \(k) \(fmt(Double(kernels) / seconds / 1e6, 2).leftPad(14)) M")
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

for (label, model) in [("Mixtral-8x7B qlora  seq 128 batch 8", mixtral), ("BlackMamba-2.8B full seq 128 batch 8", blackmamba)] {
    let w = Workload(batch: 8, seq: 128)
    let kernels = Lowering.lower(model: model, method: model.preset, workload: w).kernelCount
    let t = measure { _ = sim.simulate(model: model, method: model.preset, workload: w) }
    report(label, kernels: kernels, seconds: t)
}
for (label, model) in [("Mixtral-8x7B qlora  commonsense15k b8", mixtral), ("BlackMamba-2.8B full commonsense15k b8", blackmamba)] {
    // Kernel events per expected step: the expectation over padded lengths of each length's kernel count.
    var kernels = 0.0
    for (len, p) in commonsense.paddedBatchLengths(batch: 8) where p > 1e-12 {
        kernels += p * Double(Lowering.lower(model: model, method: model.preset, workload: Workload(batch: 8, seq: len)).kernelCount)
    }
    let ds = DatasetSimulation(simulator: sim)
    let t = measure(minSeconds: 2) { _ = ds.simulate(model: model, method: model.preset, dataset: commonsense, batch: 8) }
    report(label, kernels: Int(kernels.rounded()), seconds: t)
}

// Where a Mixtral step's time goes.
do {
    let w = Workload(batch: 8, seq: 128)
    let lower = measure { _ = Lowering.lower(model: mixtral, method: mixtral.preset, workload: w) }
    let program = Lowering.lower(model: mixtral, method: mixtral.preset, workload: w)
    let engine = Engine(cost: CostModel(gpu: a40, parameters: parameters))
    let run = measure { _ = engine.run(program) }
    let memory = measure { _ = MemoryEstimate(program: program, parameters: parameters) }
    let timeline = measure { _ = engine.run(program, recordTimeline: true) }
    let distinct = program.segments.reduce(0) { $0 + $1.kernels.count }
    let totals = sim.simulate(model: mixtral, method: mixtral.preset, workload: w).kernels.count
    print("")
    print(
        "Mixtral program: \(program.segments.count) distinct segments holding \(distinct) kernels, \(program.order.count) segment runs, \(program.kernelCount) launches, \(totals) kernel totals in the report"
    )
    print(
        "Mixtral step parts: lowering \(fmt(lower * 1e6, 0)) µs, engine \(fmt(run * 1e6, 0)) µs, memory walk \(fmt(memory * 1e6, 0)) µs; engine with timeline \(fmt(timeline * 1e6, 0)) µs"
    )
}

// A small in-memory sweep: 2 models × 2 GPUs × batches 1,2,4,8 × bandwidth 0.5,1 at seq 128 (32 configurations).
do {
    var axes = SweepAxes(models: ["mixtral-8x7b", "blackmamba-2.8b"], gpus: ["a40", "h100-sxm5-80gb"])
    axes.batches = [1, 2, 4, 8]
    axes.bandwidthScales = [0.5, 1]
    let configs = axes.configurations
    var rows = 0
    let t = measure(minSeconds: 2, warmup: 1) {
        // A fresh sweep each time, so max_batch memoization starts cold as in a real run.
        let sweep = try! Sweep(axes: axes, catalog: catalog, parameters: parameters)
        sweep.run(configs, jobs: 1) { _ in rows += 1 }
    }
    print("")
    print("sweep (\(configs.count) configurations, 1 thread, max_batch included): \(fmt(Double(configs.count) / t, 1)) configurations/s")
}
