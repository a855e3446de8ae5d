/// Dense decoders with attention and a gated MLP: `llama`, `mistral`, `qwen2` (q/k/v biases) and `phi3`
/// (fused qkv and gate/up projections).
public enum LlamaFamilyReader: HuggingFaceModelReader {
    public static let modelTypes = ["llama", "mistral", "qwen2", "phi3"]

    public static func read(_ c: HuggingFaceConfigObject, id: String, name: String) throws(SimulatorError) -> ModelSpec {
        let type = try c.string("model_type")
        let hidden = try c.int("hidden_size", minimum: 1)
        let layers = try c.int("num_hidden_layers", minimum: 1)
        let phi3 = type == "phi3"
        let attention = try attention(c, hidden: hidden, qkvBias: type == "qwen2", fusedQKV: phi3)
        let mlp = MLPSpec(intermediateSize: try c.int("intermediate_size", minimum: 1), activation: .swiglu, fusedGateUp: phi3)
        return ModelSpec(
            id: id, name: name, hiddenSize: hidden, vocabSize: try c.int("vocab_size", minimum: 1),
            tieEmbeddings: try c.bool("tie_word_embeddings", default: false),
            sublayers: Array(repeating: [SublayerKind.attention, .mlp], count: layers).flatMap { $0 },
            attention: attention, mlp: mlp, preset: HuggingFaceConfig.qloraPreset)
    }
}
