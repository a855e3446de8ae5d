import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim sweep`: the cartesian product of models, GPUs, methods, top-k, batches, lengths and GPU
/// resource scales, one row per configuration, streamed to a CSV or JSON Lines file.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Simulate every combination of the given values; one CSV or JSON Lines row per configuration.",
        discussion: """
            Configurations are numbered (config_index) in a fixed order: model, gpu, method, top-k, seq or dataset, batch, \
            bandwidth, sms, compute, memory (the last varies fastest). Rows are written in that order.
            """)

    @Option(help: "Comma-separated model ids or paths.")
    var model: String
    @Option(help: "Comma-separated GPU ids or paths.")
    var gpu: String
    @Option(help: "Comma-separated methods: qlora, lora, full (default: each model's preset).")
    var method: String?
    @Option(name: .customLong("top-k"), help: "Comma-separated experts per token (default: each model's).")
    var topK: String?
    @Option(help: "Comma-separated batch sizes.")
    var batch: String = "1"
    @Option(help: "Comma-separated sequence lengths (default 128 unless --dataset).")
    var seq: String?
    @Option(help: "Comma-separated dataset ids.")
    var dataset: String?
    @Option(help: "GPU resource scale values, NAME=V,V,… with NAME one of bandwidth, sms, compute, memory (repeatable).")
    var scale: [String] = []
    @Option(help: "Output file.")
    var out: String
    @Option(help: "Output format: csv or jsonl (default: from the file extension, else csv).")
    var format: String?
    @Option(help: "Worker threads (default: the number of active processors).")
    var jobs: Int?
    @Option(help: "Run shard I of N (1-based): configurations with config_index % N == I-1.")
    var shard: String?
    @Flag(help: "Keep the rows already in --out and append the missing ones.")
    var resume = false
    @Option(help: "Calibration file (default: Configs/calibration/default.yaml).")
    var calibration: String?
    @Option(help: "GPU prices YAML (gpu-id: usd_per_hour; default: Configs/prices.yaml when present).")
    var prices: String?
    @Option(
        name: .customLong("max-lengths"),
        help: "With --dataset: simulate at most N representative padded lengths (quantile bins) instead of every one; faster.")
    var maxLengths: Int?

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            var axes = SweepAxes(models: try list(model, "--model"), gpus: try list(gpu, "--gpu"))
            if let m = method {
                axes.methods = try list(m, "--method").map { s throws(SimulatorError) -> FineTuneMethod.Kind? in
                    guard let k = FineTuneMethod.Kind(rawValue: s) else {
                        throw SimulatorError(source: "--method", "unknown method '\(s)' (qlora, lora, full)")
                    }
                    return k
                }
            }
            if let k = topK { axes.topKs = try ints(k, "--top-k").map { Optional($0) } }
            axes.batches = try ints(batch, "--batch")
            if seq != nil, dataset != nil { throw SimulatorError(source: "--seq", "give either --seq or --dataset, not both") }
            if let d = dataset { axes.shapes = try list(d, "--dataset").map { .dataset($0) } }
            if let s = seq { axes.shapes = try ints(s, "--seq").map { .seq($0) } }
            if maxLengths != nil && dataset == nil {
                throw SimulatorError(source: "--max-lengths", "applies to --dataset configurations only")
            }
            for s in scale {
                let parts = s.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw SimulatorError(source: "--scale", "expected NAME=V,V,… got '\(s)'") }
                let values = try list(parts[1], "--scale \(parts[0])").map { v throws(SimulatorError) -> Double in
                    guard let d = Double(v), d > 0, d.isFinite else {
                        throw SimulatorError(source: "--scale", key: parts[0], "must be positive, got '\(v)'")
                    }
                    return d
                }
                switch parts[0] {
                case "bandwidth": axes.bandwidthScales = values
                case "sms": axes.smsScales = values
                case "compute": axes.computeScales = values
                case "memory": axes.memoryScales = values
                default: throw SimulatorError(source: "--scale", "unknown scale '\(parts[0])' (bandwidth, sms, compute, memory)")
                }
            }
            let shardSpec = try shard.map { s throws(SimulatorError) in try SweepAxes.parseShard(s) }
            let fmt: Sweep.Format
            if let f = format {
                guard let v = Sweep.Format(rawValue: f) else {
                    throw SimulatorError(source: "--format", "unknown format '\(f)' (csv, jsonl)")
                }
                fmt = v
            } else {
                fmt = out.hasSuffix(".jsonl") || out.hasSuffix(".json") ? .jsonl : .csv
            }
            let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
            guard workers >= 1 else { throw SimulatorError(source: "--jobs", "must be at least 1, got \(workers)") }
            let priceTable = try PriceList.load(file: prices ?? catalog.root + "/prices.yaml").usdPerHour
            let params = try catalog.calibration(calibration)
            let sweep = try Sweep(axes: axes, catalog: catalog, parameters: params, prices: priceTable, maxLengths: maxLengths)
            let tty = isatty(2) == 1
            let output = SweepOutput(sweep: sweep, path: out, format: fmt)
            let r = try output.run(jobs: workers, shard: shardSpec, resume: resume) { done, total in
                if tty { FileHandle.standardError.write(Data("\r\(done)/\(total) configurations".utf8)) }
            }
            if tty {
                FileHandle.standardError.write(Data("\r\(r.written) written, \(r.skipped) already in \(out)\n".utf8))
            }
        }
    }

    private func list(_ s: String, _ flag: String) throws(SimulatorError) -> [String] {
        let v = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !v.isEmpty else { throw SimulatorError(source: flag, "needs at least one value") }
        return v
    }

    private func ints(_ s: String, _ flag: String) throws(SimulatorError) -> [Int] {
        try list(s, flag).map { v throws(SimulatorError) -> Int in
            guard let i = Int(v) else { throw SimulatorError(source: flag, "'\(v)' is not an integer") }
            return i
        }
    }
}
