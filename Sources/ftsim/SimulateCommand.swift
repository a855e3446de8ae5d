import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim simulate`: one training step, its time and where the time goes.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Simulate one fine-tuning step on a GPU and break down its time.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "GPU id under Configs/gpus, or a path to a GPU YAML.")
    var gpu: String
    @OptionGroup var workload: WorkloadOptions
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @Option(
        name: .customLong("trace-out"),
        help: "Write the step's timeline as Chrome trace-event JSON (with --dataset: the most likely padded length).")
    var traceOut: String?
    @Option(help: "Write an SVG: GPU time by phase and layer type above the kernels on the GPU's roofline.")
    var plot: String?

    func run() throws {
        try runReporting {
            try workload.validateShape()
            let catalog = ConfigCatalog.discover()
            let (model, method, params) = try modelOptions.resolve(catalog)
            let gpuSpec = try catalog.gpu(gpu)
            let routing = try workload.resolveRouting(catalog, model: model)
            let host = try modelOptions.host(for: gpuSpec)
            let sim = Simulator(gpu: gpuSpec, parameters: params, host: host)
            var report: StepReport
            var shape: String
            var traceSeq = workload.seq ?? 128
            if let d = workload.dataset {
                let ds = try catalog.dataset(d)
                traceSeq = ds.paddedBatchLengths(batch: workload.batch).max { $0.probability < $1.probability }?.length ?? ds.longestPadded
                report = DatasetSimulation(simulator: sim).simulate(
                    model: model, method: method, dataset: ds, batch: workload.batch, routing: routing, gradAccum: workload.gradAccum)
                shape = "dataset \(ds.id) (expected padded length \(NumberText.fixed(ds.expectedPaddedLength(batch: workload.batch), 1)))"
            } else {
                let seq = workload.seq ?? 128
                report = sim.simulate(
                    model: model, method: method,
                    workload: Workload(batch: workload.batch, seq: seq, routing: routing, gradAccum: workload.gradAccum))
                shape = "seq \(seq)"
            }
            // Error bars: the fit's covariance and residual scatter propagated through the simulator.
            let uncertainty = Uncertainty(parameters: params)
            if uncertainty.available {
                let ds = try workload.dataset.map { try catalog.dataset($0) }
                let seq = workload.seq ?? 128
                report.stepTimeInterval = uncertainty.interval { p in
                    let s = Simulator(gpu: gpuSpec, parameters: p, host: host)
                    if let ds {
                        return DatasetSimulation(simulator: s).simulate(
                            model: model, method: method, dataset: ds, batch: workload.batch, routing: routing, maxLengths: 8,
                            gradAccum: workload.gradAccum
                        ).stepTime
                    }
                    return s.simulate(
                        model: model, method: method,
                        workload: Workload(batch: workload.batch, seq: seq, routing: routing, gradAccum: workload.gradAccum)
                    )
                    .stepTime
                }
                // Centre the bar on the reported (full-resolution) value.
                report.stepTimeInterval = report.stepTimeInterval?.centered(on: report.stepTime)
            }
            let topK = model.moe.map { " top-k \($0.topK)" } ?? ""
            if let path = traceOut {
                let run = sim.run(
                    model: model, method: method,
                    workload: Workload(batch: workload.batch, seq: traceSeq, routing: routing, gradAccum: workload.gradAccum),
                    recordTimeline: true)
                try writeOutput(ChromeTrace(run: run)!.rendered(), to: path, flag: "--trace-out")
            }
            if let path = plot {
                let charts = StepCharts(
                    report: report, gpu: gpuSpec, title: "\(model.id) \(method.kind.rawValue)\(topK) b\(workload.batch) on \(gpuSpec.id)")
                try writeOutput(charts.combinedSVG, to: path, flag: "--plot")
            }
            let accum = workload.gradAccum > 1 ? " × \(workload.gradAccum) accumulated" : ""
            switch format {
            case .json:
                let header: [(String, JSONValue)] = [
                    ("model", .string(model.id)), ("gpu", .string(gpuSpec.id)), ("method", .string(method.kind.rawValue)),
                    ("top_k", model.moe.map { .int($0.topK) } ?? .null), ("batch", .int(workload.batch)),
                    ("grad_accum", .int(workload.gradAccum)), ("queries_per_step", .int(workload.batch * workload.gradAccum)),
                    ("seq", workload.dataset == nil ? .int(workload.seq ?? 128) : .null),
                    ("dataset", workload.dataset.map { .string($0) } ?? .null),
                    ("routing", .string(routing.label)), ("calibration", .string(params.provenance)),
                ]
                print(report.json(extra: header).rendered())
            case .table:
                print(
                    report.table(
                        title:
                            "\(model.name) · \(method.kind.rawValue)\(topK) · batch \(workload.batch)\(accum) · \(shape) · \(gpuSpec.name)"),
                    terminator: "")
            }
        }
    }
}
