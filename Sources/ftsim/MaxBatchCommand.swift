import ArgumentParser
import FineTuneSim

/// `ftsim max-batch`: the largest batch that fits on a GPU.
struct MaxBatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "max-batch", abstract: "Find the largest batch whose step fits in a GPU's memory.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "GPU id under Configs/gpus, or a path to a GPU YAML.")
    var gpu: String
    @Option(help: "Tokens per query (fixed length). Default 128 unless --dataset is given.")
    var seq: Int?
    @Option(help: "Dataset id: the batch must fit when it holds the dataset's longest query after the cutoff.")
    var dataset: String?
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            if let s = seq, s < 1 { throw SimulatorError(source: "--seq", "must be at least 1, got \(s)") }
            if seq != nil && dataset != nil { throw SimulatorError(source: "--seq", "give either --seq or --dataset, not both") }
            let catalog = ConfigCatalog.discover()
            let (model, method, params) = try modelOptions.resolve(catalog)
            let g = try catalog.gpu(gpu)
            let host = try modelOptions.host(for: g)
            let length = try dataset.map { try catalog.dataset($0).longestPadded } ?? seq ?? 128
            let (r, low, high) = MaxBatch(parameters: params).range(model: model, method: method, seq: length, capacityBytes: g.memoryBytes)
            switch format {
            case .json:
                print(
                    JSONValue.object([
                        ("model", .string(model.id)), ("gpu", .string(g.id)), ("method", .string(method.kind.rawValue)),
                        ("top_k", model.moe.map { .int($0.topK) } ?? .null), ("seq", .int(length)),
                        ("dataset", dataset.map { .string($0) } ?? .null),
                        ("max_batch", .int(r.maxBatch)), ("max_batch_low", .int(low)), ("max_batch_high", .int(high)),
                        ("peak_memory_gb", .number(r.peakBytes / 1e9)), ("memory_gb", .number(g.memoryGB)),
                        ("usable_memory_gb", .number(g.usableMemoryGB)),
                        ("fits", .bool(r.maxBatch > 0)),
                        ("host_cpu", .string(host.cpu)), ("host_speed", .number(host.singleThreadSpeed)),
                        ("host_source", .string(host.source.rawValue)),
                    ]).rendered())
            case .table:
                if r.maxBatch == 0 {
                    print(
                        "\(model.name) does not fit on \(g.name) at any batch: batch 1 at \(length) tokens needs \(NumberText.fixed(r.peakBytes / 1e9, 2)) GB, \(NumberText.fixed(r.peakBytes / 1e9 - g.usableMemoryGB, 2)) GB more than the \(NumberText.fixed(g.usableMemoryGB, 2)) GB it can use\(high > 0 ? " (within the memory fit's 95% range it may fit up to batch \(high))" : "")."
                    )
                } else {
                    print(
                        "\(model.name) · \(method.kind.rawValue)\(model.moe.map { " top-k \($0.topK)" } ?? "") on \(g.name): max batch \(r.maxBatch)\(low == high ? "" : " (95%: \(low)–\(high))") at \(length) tokens per query (peak \(NumberText.fixed(r.peakBytes / 1e9, 2)) GB of the \(NumberText.fixed(g.usableMemoryGB, 2)) GB it can use)"
                    )
                }
            }
            if r.maxBatch == 0 { throw ExitCode(2) }
        }
    }
}
