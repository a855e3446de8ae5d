/// `mixtral`: attention and a top-k softmax MoE of SwiGLU experts in every layer.
public enum MixtralReader: HuggingFaceModelReader {
    public static let modelTypes = ["mixtral"]

    /// The preset of `Configs/models/mixtral-8x7b.yaml` (Xia et al.): QLoRA adapters on the experts and router.
    public static let preset = FineTuneMethod(
        kind: .qlora, quant: .nf4, doubleQuant: true, loraRank: 16, loraAlpha: 32, loraTargets: ["w1", "w2", "w3", "router"],
        computeDType: .bf16, trainableDType: .fp32, optimizerStateDType: .fp32, checkpointing: true, flashAttention: true,
        optimizer: .adamw)

    public static func read(_ c: HuggingFaceConfigObject, id: String, name: String) throws(SimulatorError) -> ModelSpec {
        let hidden = try c.int("hidden_size", minimum: 1)
        let layers = try c.int("num_hidden_layers", minimum: 1)
        let attention = try attention(c, hidden: hidden)
        let experts = try c.int("num_local_experts", minimum: 1)
        let moe = MoESpec(
            experts: experts, topK: try topK(c, experts: experts, expertsKey: "num_local_experts"),
            expertIntermediateSize: try c.int("intermediate_size", minimum: 1), activation: .swiglu,
            router: .softmax, normalizeTopK: true, indexWithLists: true)
        return ModelSpec(
            id: id, name: name, hiddenSize: hidden, vocabSize: try c.int("vocab_size", minimum: 1),
            tieEmbeddings: try c.bool("tie_word_embeddings", default: false),
            sublayers: Array(repeating: [SublayerKind.attention, .moe], count: layers).flatMap { $0 },
            attention: attention, moe: moe, preset: preset)
    }
}
