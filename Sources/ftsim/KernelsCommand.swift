import ArgumentParser
import FineTuneSim

/// `ftsim kernels`: single kernels timed on any GPU.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Predict single kernels on a GPU from a CSV of op,m,n,k,elements,dtype.",
        discussion: """
            ops: gemm (m×k times k×n), rmsnorm, layernorm, softmax, rmsnorm_vllm and fused_add_rmsnorm (m rows × n columns), \
            embedding (gather of m rows of n), \
            silu_mul, gelu, add, dequant_nf4 (elements), rope (elements = tokens × (heads + kv heads) × head dim), \
            attention (causal FlashAttention forward: m = batch×heads, n = sequence length, k = head dim), \
            selective_scan (Mamba forward: m = tokens, n = inner size, k = state size). Empty cells count as 0; dtype defaults to bf16.
            """)

    @Option(help: "GPU id or path.")
    var gpu: String
    @Option(name: .customLong("in"), help: "Input CSV with columns op,m,n,k,elements,dtype.")
    var input: String
    @Option(help: "Output format: csv or json.")
    var format: KernelsFormat = .csv
    @Option(help: "Calibration file (default: Configs/calibration/default.yaml).")
    var calibration: String?

    enum KernelsFormat: String, ExpressibleByArgument { case csv, json }

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            let cost = CostModel(gpu: try catalog.gpu(gpu), parameters: try catalog.calibration(calibration))
            let table = try CSVTable(contentsOfFile: input)
            guard !table.header.isEmpty else { throw SimulatorError(source: input, "empty CSV") }
            _ = try table.requireColumn("op")
            var rows: [(KernelQuery, Double, Bound)] = []
            for r in table.rows {
                let q = try KernelTraceRows.query(table, r)
                let t = cost.time(q.kernel)
                rows.append((q, t.seconds, t.bound))
            }
            switch format {
            case .csv:
                print("op,m,n,k,elements,dtype,time_s,bound")
                for (q, t, b) in rows {
                    print(
                        [
                            q.op.rawValue, JSONValue.format(q.m), JSONValue.format(q.n), JSONValue.format(q.k),
                            JSONValue.format(q.elements), q.dtype.rawValue, JSONValue.format(t), b.rawValue,
                        ].joined(separator: ","))
                }
            case .json:
                print(
                    JSONValue.object([
                        ("gpu", .string(cost.gpu.id)),
                        (
                            "kernels",
                            .array(
                                rows.map { q, t, b in
                                    .object([
                                        ("op", .string(q.op.rawValue)), ("m", .number(q.m)), ("n", .number(q.n)), ("k", .number(q.k)),
                                        ("elements", .number(q.elements)), ("dtype", .string(q.dtype.rawValue)), ("time_s", .number(t)),
                                        ("bound", .string(b.rawValue)),
                                    ])
                                })
                        ),
                    ]).rendered())
            }
        }
    }
}
