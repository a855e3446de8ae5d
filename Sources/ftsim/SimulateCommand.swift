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

    func run() throws {
        try runReporting {
            try workload.validateShape()
            let catalog = ConfigCatalog.discover()
            let (model, method, params) = try modelOptions.resolve(catalog)
            let gpuSpec = try catalog.gpu(gpu)
            let routing = try workload.resolveRouting(catalog, model: model)
            let sim = Simulator(gpu: gpuSpec, parameters: params)
            let report: StepReport
            var shape: String
            if let d = workload.dataset {
                let ds = try catalog.dataset(d)
                report = DatasetSimulation(simulator: sim).simulate(model: model, method: method, dataset: ds, batch: workload.batch, routing: routing)
                shape = "dataset \(ds.id) (expected padded length \(NumberText.fixed(ds.expectedPaddedLength(batch: workload.batch), 1)))"
            } else {
                let seq = workload.seq ?? 128
                report = sim.simulate(model: model, method: method, workload: Workload(batch: workload.batch, seq: seq, routing: routing))
                shape = "seq \(seq)"
            }
            let topK = model.moe.map { " top-k \($0.topK)" } ?? ""
            switch format {
            case .json:
                let header: [(String, JSONValue)] = [
                    ("model", .string(model.id)), ("gpu", .string(gpuSpec.id)), ("method", .string(method.kind.rawValue)),
                    ("top_k", model.moe.map { .int($0.topK) } ?? .null), ("batch", .int(workload.batch)),
                    ("seq", workload.dataset == nil ? .int(workload.seq ?? 128) : .null), ("dataset", workload.dataset.map { .string($0) } ?? .null),
                    ("routing", .string(routing.label)), ("calibration", .string(params.provenance)),
                ]
                print(report.json(extra: header).rendered())
            case .table:
                print(report.table(title: "\(model.name) · \(method.kind.rawValue)\(topK) · batch \(workload.batch) · \(shape) · \(gpuSpec.name)"), terminator: "")
            }
        }
    }
}
