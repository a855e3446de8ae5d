import ArgumentParser
import FineTuneSim

/// `ftsim host-costs`: CPU-side launch, op, sync and optimizer costs measured in a PyTorch profiler trace.
struct HostCostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-costs",
        abstract:
            "Measure host (CPU-side) costs in a PyTorch profiler (Kineto) trace: launches, one-kernel ops, syncs, optimizer launches.",
        discussion: """
            Each figure is a distribution (count, median, p10, p90, mean) over the trace's events; the `feeds` column names \
            the calibration parameter it estimates. See Traces/host-costs/README.md for how each figure is computed.
            """)

    @Argument(help: "Kineto trace (.json or .json.gz).")
    var trace: String
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            let p = try HostCostProfile.load(path: trace)
            switch format {
            case .json:
                print(
                    JSONValue.object([
                        ("source", .string(p.source)), ("kernels", .int(p.kernelCount)), ("launches", .int(p.launchCount)),
                        ("top_level_ops", .int(p.topLevelOpCount)), ("main_thread", p.mainThread.map { .string($0) } ?? .null),
                        ("autograd_threads", .array(p.autogradThreads.map { .string($0) })),
                        (
                            "figures",
                            .array(
                                p.figures.map { f in
                                    let d = f.distribution
                                    return .object([
                                        ("key", .string(f.key)), ("summary", .string(f.summary)),
                                        ("parameter", f.parameter.map { .string($0) } ?? .null), ("count", .int(d.count)),
                                        ("median_s", .number(d.median_s)), ("p10_s", .number(d.p10_s)), ("p90_s", .number(d.p90_s)),
                                        ("mean_s", .number(d.mean_s)),
                                    ])
                                })
                        ),
                    ]).rendered())
            case .table:
                var t = TextTable(
                    headers: ["figure", "count", "median µs", "p10 µs", "p90 µs", "mean µs", "feeds"], rightAligned: [1, 2, 3, 4, 5])
                for f in p.figures {
                    let d = f.distribution
                    func us(_ s: Double) -> String { d.count == 0 ? "—" : NumberText.fixed(s * 1e6, 1) }
                    t.add([f.key, String(d.count), us(d.median_s), us(d.p10_s), us(d.p90_s), us(d.mean_s), f.parameter ?? ""])
                }
                print(t.rendered(), terminator: "")
                print(
                    "\(p.kernelCount) kernels, \(p.launchCount) launch calls, \(p.topLevelOpCount) top-level CPU ops; main thread \(p.mainThread ?? "none"), autograd threads \(p.autogradThreads.isEmpty ? "none" : p.autogradThreads.joined(separator: ", "))"
                )
            }
        }
    }
}
