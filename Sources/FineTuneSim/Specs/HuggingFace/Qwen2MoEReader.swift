/// `qwen2_moe`: attention with q/k/v biases, then a softmax MoE with a gated shared expert on every
/// `decoder_sparse_step`-th layer not listed in `mlp_only_layers` (the others are dense, `intermediate_size` wide).
public enum Qwen2MoEReader: HuggingFaceModelReader {
    public static let modelTypes = ["qwen2_moe"]

    public static func read(_ c: HuggingFaceConfigObject, id: String, name: String) throws(SimulatorError) -> ModelSpec {
        let hidden = try c.int("hidden_size", minimum: 1)
        let layers = try c.int("num_hidden_layers", minimum: 1)
        let attention = try attention(c, hidden: hidden, qkvBias: true)
        let experts = try c.int("num_experts", minimum: 1)
        let moe = MoESpec(
            experts: experts, topK: try topK(c, experts: experts, expertsKey: "num_experts"),
            expertIntermediateSize: try c.int("moe_intermediate_size", minimum: 1), activation: .swiglu, router: .softmax,
            normalizeTopK: try c.bool("norm_topk_prob", default: false),
            sharedExpertIntermediateSize: try c.int("shared_expert_intermediate_size", default: 0, minimum: 0),
            sharedExpertGate: true, indexWithLists: true)
        let step = try c.int("decoder_sparse_step", default: 1, minimum: 1)
        let denseOnly = Set(try c.ints("mlp_only_layers"))
        var stack: [SublayerKind] = []
        for i in 0..<layers {
            stack += [.attention, !denseOnly.contains(i) && (i + 1) % step == 0 ? .moe : .mlp]
        }
        let mlp = stack.contains(.mlp) ? MLPSpec(intermediateSize: try c.int("intermediate_size", minimum: 1)) : nil
        return ModelSpec(
            id: id, name: name, hiddenSize: hidden, vocabSize: try c.int("vocab_size", minimum: 1),
            tieEmbeddings: try c.bool("tie_word_embeddings", default: false), sublayers: stack,
            attention: attention, mlp: mlp, moe: stack.contains(.moe) ? moe : nil, preset: HuggingFaceConfig.qloraPreset)
    }
}
