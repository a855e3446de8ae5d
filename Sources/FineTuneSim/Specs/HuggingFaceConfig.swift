import Foundation

/// Reads a Hugging Face `config.json` into a ``ModelSpec``.
///
/// The file's `model_type` picks a ``HuggingFaceModelReader``; each reader maps one family's keys onto the
/// flat sub-layer stack. A new family (DeepSeek-style dense-then-MoE, Jamba's attention/Mamba hybrid) is a
/// new reader added to ``readers``, not a change to the spec.
public enum HuggingFaceConfig {
    /// The readers, tried by `model_type`.
    public static let readers: [any HuggingFaceModelReader.Type] = [
        LlamaFamilyReader.self, MixtralReader.self, Qwen2MoEReader.self, MambaReader.self,
    ]

    /// Every supported `model_type`, sorted.
    public static var supportedModelTypes: [String] { readers.flatMap { $0.modelTypes }.sorted() }

    /// Loads and maps a config file; the model's id is the file name without `.json`.
    public static func load(file: String) throws(SimulatorError) -> ModelSpec {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw SimulatorError(source: file, "cannot read the file (\(error.localizedDescription))")
        }
        let id = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return try parse(data, source: file, id: id)
    }

    /// Maps the bytes of a `config.json`; `source` names the input in errors.
    public static func parse(_ data: Data, source: String, id: String) throws(SimulatorError) -> ModelSpec {
        let config = try HuggingFaceConfigObject(data: data, source: source)
        let modelType = try config.string("model_type")
        guard let reader = readers.first(where: { $0.modelTypes.contains(modelType) }) else {
            throw config.fail("model_type", "unknown model type '\(modelType)' (supported: \(supportedModelTypes.joined(separator: ", ")))")
        }
        let name = try config.optionalString("_name_or_path") ?? id
        let model = try reader.read(config, id: id, name: name)
        try model.validate(source: source)
        return model
    }

    /// The preset of models read from `config.json`: QLoRA with NF4 and double quantization, rank-16
    /// adapters on every linear layer, fp32 adapters and moments, gradient checkpointing.
    public static let qloraPreset = FineTuneMethod(
        kind: .qlora, quant: .nf4, doubleQuant: true, loraRank: 16, loraAlpha: 32, loraTargets: ["all-linear"],
        trainableDType: .fp32, optimizerStateDType: .fp32, checkpointing: true)
}
