extension ModelSpec {
    /// Reads a model from the project's YAML format (see `Configs/models/`).
    ///
    /// `layers` is a list of `{repeat: N, sublayers: [attention, moe]}` groups, expanded in order.
    public init(node: ConfigNode, id: String) throws(SimulatorError) {
        let modelID = try node.string("id", default: id)
        var stack: [SublayerKind] = []
        for group in try node.nodes("layers") {
            let times = try group.int("repeat", default: 1, minimum: 1)
            var kinds: [SublayerKind] = []
            for (i, name) in try group.strings("sublayers").enumerated() {
                guard let k = SublayerKind(rawValue: name) else {
                    throw group.fail("sublayers[\(i)]", "unknown sub-layer '\(name)' (expected attention, mamba, mlp or moe)")
                }
                kinds.append(k)
            }
            for _ in 0..<times { stack += kinds }
        }
        var attention: AttentionSpec?
        if let a = try node.optionalNode("attention") {
            let heads = try a.int("heads", minimum: 1)
            let hidden = try node.int("hidden_size", minimum: 1)
            attention = AttentionSpec(
                heads: heads,
                kvHeads: try a.int("kv_heads", default: heads, minimum: 1),
                headDim: try a.int("head_dim", default: hidden / heads, minimum: 1),
                qkvBias: try a.bool("qkv_bias", default: false),
                fusedQKV: try a.bool("fused_qkv", default: false))
        }
        var mlp: MLPSpec?
        if let m = try node.optionalNode("mlp") {
            mlp = MLPSpec(
                intermediateSize: try m.int("intermediate_size", minimum: 1),
                activation: try m.has("activation") ? m.choice("activation", as: FFNActivation.self) : .swiglu,
                fusedGateUp: try m.bool("fused_gate_up", default: false))
        }
        var moe: MoESpec?
        if let m = try node.optionalNode("moe") {
            moe = MoESpec(
                experts: try m.int("experts", minimum: 1),
                topK: try m.int("top_k", minimum: 1),
                expertIntermediateSize: try m.int("intermediate_size", minimum: 1),
                activation: try m.has("activation") ? m.choice("activation", as: FFNActivation.self) : .swiglu,
                router: try m.has("router") ? m.choice("router", as: RouterScore.self) : .softmax,
                normalizeTopK: try m.bool("normalize_top_k", default: true),
                sharedExpertIntermediateSize: try m.int("shared_expert_intermediate_size", default: 0, minimum: 0),
                sharedExpertGate: try m.bool("shared_expert_gate", default: false),
                indexWithLists: try m.bool("index_with_lists", default: false))
        }
        var mamba: MambaSpec?
        if let m = try node.optionalNode("mamba") {
            mamba = MambaSpec(
                innerSize: try m.int("inner_size", minimum: 1),
                stateSize: try m.int("state_size", minimum: 1),
                convWidth: try m.int("conv_width", minimum: 1),
                dtRank: try m.int("dt_rank", minimum: 1),
                convBias: try m.bool("conv_bias", default: true),
                projBias: try m.bool("proj_bias", default: false))
        }
        let preset = try node.optionalNode("finetune").map { (n) throws(SimulatorError) in try FineTuneMethod(node: n) } ?? .full
        self.init(
            id: modelID, name: try node.string("name", default: modelID),
            hiddenSize: try node.int("hidden_size", minimum: 1), vocabSize: try node.int("vocab_size", minimum: 1),
            tieEmbeddings: try node.bool("tie_embeddings", default: false), sublayers: stack,
            attention: attention, mlp: mlp, moe: moe, mamba: mamba,
            layerNorm: try node.string("norm", default: "rmsnorm") == "layernorm", preset: preset)
        try validate(source: node.source)
    }
}
