import ArgumentParser
import FineTuneSim
import Foundation

/// Output format of commands that print a report.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Runs a command body, turning a ``SimulatorError`` into one line on stderr and exit code 1.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as SimulatorError {
        FileHandle.standardError.write(Data("ftsim: error: \(e.description)\n".utf8))
        throw ExitCode(1)
    }
}

/// Flags that choose the model, the fine-tuning method and the calibration.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model id under Configs/models, or a path to a model YAML or a Hugging Face config.json.")
    var model: String

    @Option(help: "Fine-tuning method: qlora, lora or full (default: the model's preset).")
    var method: FineTuneMethod.Kind?

    @Option(name: .customLong("top-k"), help: "Experts per token in MoE layers (default: the model's).")
    var topK: Int?

    @Option(name: .customLong("lora-rank"), help: "LoRA rank (default: the preset's, or 16).")
    var loraRank: Int?

    @Option(name: .customLong("lora-targets"), help: "Comma-separated weights that get adapters (e.g. q_proj,v_proj or all-linear).")
    var loraTargets: String?

    @Option(help: "Base-weight quantization: nf4, int8, gptq-int4 (fp16 compute) or none.")
    var quant: FineTuneMethod.Quantization?

    @Option(help: "Gradient checkpointing: on or off.")
    var checkpointing: OnOff?

    @Option(help: "Optimizer: adamw, adamw8bit or sgd.")
    var optimizer: FineTuneMethod.Optimizer?

    @Option(
        name: .customLong("modules-to-save"),
        help: "Comma-separated modules trained in full beside the adapters: embed_tokens, lm_head (or none).")
    var modulesToSave: String?

    @Option(help: "Calibration file (default: Configs/calibration/default.yaml).")
    var calibration: String?

    @Option(
        name: .customLong("host-speed"),
        help:
            "Host single-thread speed relative to the paper's host, a Xeon 8380 (2 = host costs take half as long; default: the GPU file's host: block, else 1)."
    )
    var hostSpeed: Double?

    /// The host driving `gpu`: `--host-speed` when given, else the GPU file's host block, else the reference.
    func host(for gpu: GPUSpec) throws -> HostSpec { try HostSpec.effective(speedFlag: hostSpeed, gpu: gpu) }

    /// The resolved model (with top-k), method and parameters (the calibration's, for the reference host:
    /// ``Simulator`` applies the host's speed).
    func resolve(_ catalog: ConfigCatalog) throws -> (model: ModelSpec, method: FineTuneMethod, parameters: CalibrationParameters) {
        if let s = hostSpeed { _ = try HostSpec.flag(s) }  // a bad flag is reported before anything else
        let base = try catalog.model(model)
        let m = try Simulator.model(base, topK: topK)
        let overrides = MethodOverrides(
            method: method, loraRank: loraRank,
            loraTargets: loraTargets.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }, quant: quant,
            checkpointing: checkpointing.map { $0 == .on }, optimizer: optimizer,
            modulesToSave: modulesToSave.map { v in
                v == "none" ? [] : v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            })
        let method = try overrides.apply(to: base.preset)
        try method.validateLoRATargets(model: base, source: loraTargets == nil ? "\(base.id) preset lora_targets" : "--lora-targets")
        let params = try catalog.calibration(calibration)
        return (m, method, params)
    }
}

/// `on` / `off` flag values.
enum OnOff: String, ExpressibleByArgument {
    case on, off
}

extension FineTuneMethod.Kind: ExpressibleByArgument {}
extension FineTuneMethod.Quantization: ExpressibleByArgument {}
extension FineTuneMethod.Optimizer: ExpressibleByArgument {}

/// Flags that choose the step's shape.
struct WorkloadOptions: ParsableArguments {
    @Option(help: "Queries per step.")
    var batch: Int = 1

    @Option(help: "Tokens per query (fixed length). Default 128 unless --dataset is given.")
    var seq: Int?

    @Option(help: "Dataset id under Configs/datasets (lengths from its histogram, padded per batch).")
    var dataset: String?

    @Option(help: "Token routing over experts: uniform, zipf:S or measured.")
    var routing: String = "uniform"

    @Option(
        name: .customLong("grad-accum"),
        help: "Micro-batches per optimizer step (gradient accumulation); reports are per optimizer step (queries = batch × N).")
    var gradAccum: Int = 1

    func validateShape() throws {
        try Workload.validateGradAccum(gradAccum, source: "--grad-accum")
        guard batch >= 1 else { throw SimulatorError(source: "--batch", "must be at least 1, got \(batch)") }
        if let s = seq, s < 1 { throw SimulatorError(source: "--seq", "must be at least 1, got \(s)") }
        if seq != nil && dataset != nil { throw SimulatorError(source: "--seq", "give either --seq or --dataset, not both") }
    }

    /// The routing, with measured loads from Configs/routing when asked.
    func resolveRouting(_ catalog: ConfigCatalog, model: ModelSpec) throws -> Routing {
        try catalog.routing(routing, model: model.id, dataset: dataset)
    }
}
