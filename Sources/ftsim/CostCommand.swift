import ArgumentParser
import FineTuneSim

/// `ftsim cost`: what the whole fine-tune costs on each GPU.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost", abstract: "Estimate the GPU-hours and dollars of a whole fine-tune on several GPUs.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Dataset id under Configs/datasets.")
    var dataset: String
    @Option(help: "Comma-separated GPU ids (or paths).")
    var gpu: String
    @Option(help: "Queries per epoch (default: the dataset's size).")
    var queries: Int?
    @Option(help: "Epochs.")
    var epochs: Int = 1
    @Option(parsing: .singleValue, help: "Override a price: GPU=USD_PER_HOUR (repeatable).")
    var price: [String] = []
    @Option(help: "Token routing over experts: uniform, zipf:S or measured.")
    var routing: String = "uniform"
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            if let q = queries, q < 1 { throw SimulatorError(source: "--queries", "must be at least 1, got \(q)") }
            guard epochs >= 1 else { throw SimulatorError(source: "--epochs", "must be at least 1, got \(epochs)") }
            let catalog = ConfigCatalog.discover()
            let (model, method, params) = try modelOptions.resolve(catalog)
            let ds = try catalog.dataset(dataset)
            var prices = try catalog.prices()
            let priced = try prices.override(price)
            let routingValue = try catalog.routing(routing, model: model.id, dataset: ds.id)
            let ids = gpu.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !ids.isEmpty else { throw SimulatorError(source: "--gpu", "names no GPU") }
            let gpus = try ids.map { id throws(SimulatorError) in try catalog.gpu(id) }
            // A price for a GPU the comparison does not include is a typo, not something to ignore.
            for (name, item) in zip(priced, price) where !gpus.contains(where: { $0.id == name }) {
                throw SimulatorError(
                    source: "--price", "'\(name)' in '\(item)' is not one of the GPUs compared (\(gpus.map(\.id).joined(separator: ", ")))")
            }
            let study = CostStudy(model: model, method: method, dataset: ds, parameters: params)
            var rows: [CostStudy.Row] = []
            for g in gpus {
                guard let usd = prices.usdPerHour[g.id] else {
                    throw SimulatorError(
                        source: "--price", "no price for GPU '\(g.id)' in \(catalog.root)/prices.yaml; give --price \(g.id)=USD_PER_HOUR")
                }
                rows.append(
                    study.evaluate(
                        gpu: g, usdPerHour: usd, queries: Double(queries ?? ds.size), epochs: Double(epochs), routing: routingValue,
                        host: try modelOptions.host(for: g)))
            }
            rows = CostStudy.sorted(rows)
            let q = queries ?? ds.size
            switch format {
            case .json:
                print(
                    JSONValue.object([
                        ("model", .string(model.id)), ("method", .string(method.kind.rawValue)),
                        ("top_k", model.moe.map { .int($0.topK) } ?? .null),
                        ("dataset", .string(ds.id)), ("queries", .int(q)), ("epochs", .int(epochs)),
                        (
                            "rows",
                            .array(
                                rows.map { r in
                                    .object([
                                        ("gpu", .string(r.gpu)), ("max_batch", .int(r.maxBatch)), ("fits", .bool(r.maxBatch > 0)),
                                        ("throughput_qps", .number(r.throughputQPS)),
                                        ("hours", .number(r.hours)), ("usd_per_hour", .number(r.usdPerHour)), ("usd", .number(r.usd)),
                                        ("peak_memory_gb", .number(r.peakMemoryGB)), ("usable_memory_gb", .number(r.usableMemoryGB)),
                                        ("host_cpu", .string(r.host.cpu)), ("host_speed", .number(r.host.singleThreadSpeed)),
                                        ("host_source", .string(r.host.source.rawValue)),
                                    ])
                                })
                        ),
                    ]).rendered())
            case .table:
                print(
                    "\(model.name) · \(method.kind.rawValue)\(model.moe.map { " top-k \($0.topK)" } ?? "") · \(ds.id) · \(q) queries × \(epochs) epochs\n"
                )
                var t = TextTable(headers: ["gpu", "max batch", "queries/s", "GPU-hours", "$/hour", "total $"])
                for r in rows {
                    if r.maxBatch == 0 {
                        t.add([
                            r.gpu, "does not fit", "-", "-", NumberText.fixed(r.usdPerHour, 2),
                            "needs \(NumberText.fixed(r.peakMemoryGB - r.usableMemoryGB, 1)) GB more",
                        ])
                    } else {
                        t.add([
                            r.gpu, String(r.maxBatch), NumberText.fixed(r.throughputQPS, 3), NumberText.fixed(r.hours, 2),
                            NumberText.fixed(r.usdPerHour, 2), NumberText.fixed(r.usd, 2),
                        ])
                    }
                }
                print(t.rendered())
                let hosts = rows.map(\.host)
                if let first = hosts.first, hosts.allSatisfy({ $0 == first }) {
                    print("host: \(first.summary)")
                } else {
                    for r in rows { print("host of \(r.gpu): \(r.host.summary)") }
                }
                let fitting = rows.filter { $0.maxBatch > 0 }
                if fitting.count >= 2 {
                    let best = fitting[0], next = fitting[1]
                    print(
                        "Cheapest: \(best.gpu) at $\(NumberText.fixed(best.usd, 2)), \(NumberText.fixed(100 * (1 - best.usd / next.usd), 1))% less than \(next.gpu) ($\(NumberText.fixed(next.usd, 2)))."
                    )
                } else if let best = fitting.first {
                    print("Only \(best.gpu) fits: $\(NumberText.fixed(best.usd, 2)).")
                } else {
                    print("The model fits on none of these GPUs.")
                }
            }
            if rows.allSatisfy({ $0.maxBatch == 0 }) { throw ExitCode(2) }
        }
    }
}
