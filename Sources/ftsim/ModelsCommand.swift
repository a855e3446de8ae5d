import ArgumentParser
import FineTuneSim

/// `ftsim models`: the models the simulator knows, or one model's derived architecture.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List the models under Configs/models, or describe one (--describe).")

    @Option(help: "Describe one model (id, YAML path or Hugging Face config.json) under its fine-tuning method.")
    var describe: String?

    @Option(help: "Fine-tuning method for --describe (default: the model's preset).")
    var method: FineTuneMethod.Kind?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            if let d = describe {
                let model = try catalog.model(d)
                let m = try MethodOverrides(method: method).apply(to: model.preset)
                try m.validateLoRATargets(model: model, source: "\(model.id) preset lora_targets")
                let description = ModelDescription(model: model, method: m)
                print(format == .json ? description.json().rendered() : description.table(), terminator: format == .json ? "\n" : "")
                return
            }
            var rows: [ModelDescription] = []
            for id in catalog.ids("models") {
                let model = try catalog.model(id)
                rows.append(ModelDescription(model: model, method: model.preset))
            }
            switch format {
            case .json: print(JSONValue.array(rows.map { $0.json() }).rendered())
            case .table:
                var t = TextTable(headers: ["id", "name", "layers", "parameters", "preset"], rightAligned: [3])
                for r in rows {
                    t.add([
                        r.model.id, r.model.name, r.layerSummary, NumberText.fixed(r.inventory.total / 1e9, 2) + " B",
                        r.method.kind.rawValue,
                    ])
                }
                print(t.rendered(), terminator: "")
            }
        }
    }
}
