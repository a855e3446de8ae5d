import ArgumentParser
import FineTuneSim

/// `ftsim gpus`: the GPUs the simulator knows.
struct GPUsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gpus", abstract: "List the GPUs under Configs/gpus.")

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            var specs: [GPUSpec] = []
            for id in catalog.ids("gpus") { specs.append(try catalog.gpu(id)) }
            switch format {
            case .json:
                print(
                    JSONValue.array(
                        specs.map { g in
                            .object([
                                ("id", .string(g.id)), ("name", .string(g.name)), ("sms", .int(g.sms)),
                                ("bf16_tensor_tflops", .number(g.bf16TensorTFLOPS)),
                                ("bandwidth_gbs", .number(g.bandwidthGBs)), ("memory_gb", .number(g.memoryGB)),
                                ("ecc_reserved_fraction", .number(g.eccReservedFraction)), ("usable_memory_gb", .number(g.usableMemoryGB)),
                            ])
                        }
                    ).rendered())
            case .table:
                var t = TextTable(
                    headers: ["id", "name", "SMs", "bf16 TFLOP/s", "GB/s", "memory GB", "usable GB"], rightAligned: [2, 3, 4, 5, 6])
                for g in specs {
                    t.add([
                        g.id, g.name, String(g.sms), NumberText.fixed(g.bf16TensorTFLOPS, 1), NumberText.fixed(g.bandwidthGBs, 0),
                        NumberText.fixed(g.memoryGB, 0), NumberText.fixed(g.usableMemoryGB, 2),
                    ])
                }
                print(t.rendered(), terminator: "")
            }
        }
    }
}
