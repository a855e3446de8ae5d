/// One sub-layer of a decoder stack: a norm, a mixer or feed-forward block, and a residual add.
public enum SublayerKind: String, Sendable, CaseIterable, Codable {
    /// Self-attention (multi-head or grouped-query).
    case attention
    /// A Mamba (selective state-space) mixer.
    case mamba
    /// A dense feed-forward block.
    case mlp
    /// A sparse mixture-of-experts feed-forward block.
    case moe
}

/// Feed-forward activation shapes.
public enum FFNActivation: String, Sendable, Codable {
    /// SiLU(gate) * up, then down: three matrices.
    case swiglu
    /// GELU(up), then down: two matrices.
    case gelu
    /// GELU(gate) * up, then down. Experts hold gate and up in one matrix (BlackMamba's); a dense block
    /// as its `fused_gate_up` says (Gemma's are separate).
    case geglu

    /// Whether the activation gates an up projection (SwiGLU, GeGLU) rather than acting alone (GELU).
    public var isGated: Bool { self != .gelu }
}

/// Self-attention dimensions.
public struct AttentionSpec: Sendable, Equatable {
    /// Query heads.
    public var heads: Int
    /// Key/value heads (grouped-query attention when fewer than `heads`).
    public var kvHeads: Int
    /// Dimension of one head.
    public var headDim: Int
    /// Whether q, k and v projections carry biases (Qwen2).
    public var qkvBias: Bool
    /// Whether q, k and v are one fused projection (Phi-3).
    public var fusedQKV: Bool

    /// Creates an attention spec.
    public init(heads: Int, kvHeads: Int, headDim: Int, qkvBias: Bool = false, fusedQKV: Bool = false) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.qkvBias = qkvBias
        self.fusedQKV = fusedQKV
    }
}

/// A dense feed-forward block.
public struct MLPSpec: Sendable, Equatable {
    /// Hidden width of the block.
    public var intermediateSize: Int
    /// Activation and matrix layout.
    public var activation: FFNActivation
    /// Whether a gated block's gate and up projections are one fused matrix (Phi-3); ignored for GELU.
    public var fusedGateUp: Bool

    /// Creates a dense FFN spec.
    public init(intermediateSize: Int, activation: FFNActivation = .swiglu, fusedGateUp: Bool = false) {
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.fusedGateUp = fusedGateUp
    }
}

/// The router's score function.
public enum RouterScore: String, Sendable, Codable {
    case softmax, sigmoid
}

/// A sparse mixture-of-experts block.
public struct MoESpec: Sendable, Equatable {
    /// Routed experts.
    public var experts: Int
    /// Experts each token is routed to.
    public var topK: Int
    /// Hidden width of one expert.
    public var expertIntermediateSize: Int
    /// Expert activation and matrix layout.
    public var activation: FFNActivation
    /// Router score function.
    public var router: RouterScore
    /// Whether the top-k weights are renormalized to sum to one.
    public var normalizeTopK: Bool
    /// Hidden width of an always-active shared expert (0: none).
    public var sharedExpertIntermediateSize: Int
    /// Whether the shared expert's output is scaled by a 1-wide sigmoid gate (Qwen2-MoE).
    public var sharedExpertGate: Bool
    /// Whether the expert loop indexes with Python lists (transformers 4.36-4.40 Mixtral and Qwen2-MoE:
    /// `top_x.tolist()`, then `hidden_states[None, top_x_list]` and `routing_weights[top_x_list, idx_list]`):
    /// each list index is copied to the GPU from pageable memory, and PyTorch synchronizes the stream after
    /// such a copy, so the host waits for the expert's FFN before its output is weighted.
    public var indexWithLists: Bool

    /// Creates an MoE spec.
    public init(
        experts: Int, topK: Int, expertIntermediateSize: Int, activation: FFNActivation = .swiglu,
        router: RouterScore = .softmax, normalizeTopK: Bool = true, sharedExpertIntermediateSize: Int = 0,
        sharedExpertGate: Bool = false, indexWithLists: Bool = false
    ) {
        self.experts = experts
        self.topK = topK
        self.expertIntermediateSize = expertIntermediateSize
        self.activation = activation
        self.router = router
        self.normalizeTopK = normalizeTopK
        self.sharedExpertIntermediateSize = sharedExpertIntermediateSize
        self.sharedExpertGate = sharedExpertGate
        self.indexWithLists = indexWithLists
    }
}

/// A Mamba-1 mixer.
public struct MambaSpec: Sendable, Equatable {
    /// Inner width (expansion × hidden).
    public var innerSize: Int
    /// SSM state size per channel.
    public var stateSize: Int
    /// Depthwise causal convolution width.
    public var convWidth: Int
    /// Rank of the Δ projection.
    public var dtRank: Int
    /// Whether the convolution has a bias.
    public var convBias: Bool
    /// Whether in/out projections have biases.
    public var projBias: Bool

    /// Creates a Mamba spec.
    public init(innerSize: Int, stateSize: Int, convWidth: Int, dtRank: Int, convBias: Bool = true, projBias: Bool = false) {
        self.innerSize = innerSize
        self.stateSize = stateSize
        self.convWidth = convWidth
        self.dtRank = dtRank
        self.convBias = convBias
        self.projBias = projBias
    }
}

/// A model architecture, general enough for dense, MoE, Mamba and hybrid decoders.
///
/// The stack is a flat list of sub-layers (each with its own pre-norm and residual add), so a hybrid
/// such as Jamba or a DeepSeek-style MoE with leading dense layers is a different list, not new code.
public struct ModelSpec: Sendable, Equatable {
    /// Short id, e.g. `mixtral-8x7b`.
    public var id: String
    /// Display name.
    public var name: String
    /// Residual-stream width.
    public var hiddenSize: Int
    /// Vocabulary size.
    public var vocabSize: Int
    /// Whether the LM head shares the embedding matrix.
    public var tieEmbeddings: Bool
    /// The sub-layers in order.
    public var sublayers: [SublayerKind]
    /// Attention dimensions, when the stack has attention.
    public var attention: AttentionSpec?
    /// Dense FFN, when the stack has one.
    public var mlp: MLPSpec?
    /// MoE block, when the stack has one.
    public var moe: MoESpec?
    /// Mamba mixer, when the stack has one.
    public var mamba: MambaSpec?
    /// Whether norms are LayerNorm (weight and bias) rather than RMSNorm.
    public var layerNorm: Bool
    /// The fine-tuning method the model's preset uses (the paper's setup for its models).
    public var preset: FineTuneMethod

    /// Creates a model spec; ``validate(source:)`` checks its consistency.
    public init(
        id: String, name: String, hiddenSize: Int, vocabSize: Int, tieEmbeddings: Bool, sublayers: [SublayerKind],
        attention: AttentionSpec? = nil, mlp: MLPSpec? = nil, moe: MoESpec? = nil, mamba: MambaSpec? = nil,
        layerNorm: Bool = false, preset: FineTuneMethod = .full
    ) {
        self.id = id
        self.name = name
        self.hiddenSize = hiddenSize
        self.vocabSize = vocabSize
        self.tieEmbeddings = tieEmbeddings
        self.sublayers = sublayers
        self.attention = attention
        self.mlp = mlp
        self.moe = moe
        self.mamba = mamba
        self.layerNorm = layerNorm
        self.preset = preset
    }

    /// Number of sub-layers of a kind.
    public func count(_ kind: SublayerKind) -> Int { sublayers.reduce(0) { $0 + ($1 == kind ? 1 : 0) } }

    /// Checks that every sub-layer kind has its spec and that sizes are consistent.
    public func validate(source: String) throws(SimulatorError) {
        func bad(_ key: String, _ m: String) -> SimulatorError { SimulatorError(source: source, key: key, m) }
        guard hiddenSize > 0 else { throw bad("hidden_size", "must be positive, got \(hiddenSize)") }
        guard vocabSize > 0 else { throw bad("vocab_size", "must be positive, got \(vocabSize)") }
        guard !sublayers.isEmpty else { throw bad("layers", "the stack has no layers") }
        for kind in Set(sublayers) {
            switch kind {
            case .attention:
                guard let a = attention else { throw bad("attention", "required key is missing (the stack has attention layers)") }
                guard a.heads > 0, a.kvHeads > 0, a.headDim > 0 else {
                    throw bad("attention", "heads, kv_heads and head_dim must be positive")
                }
                guard a.heads % a.kvHeads == 0 else {
                    throw bad("attention.kv_heads", "\(a.kvHeads) does not divide heads (\(a.heads))")
                }
            case .mlp:
                guard let m = mlp else { throw bad("mlp", "required key is missing (the stack has dense FFN layers)") }
                guard m.intermediateSize > 0 else { throw bad("mlp.intermediate_size", "must be positive") }
            case .moe:
                guard let m = moe else { throw bad("moe", "required key is missing (the stack has MoE layers)") }
                guard m.experts > 0, m.expertIntermediateSize > 0 else {
                    throw bad("moe", "experts and intermediate_size must be positive")
                }
                guard m.topK >= 1, m.topK <= m.experts else {
                    throw bad("moe.top_k", "\(m.topK) is outside 1...\(m.experts) (the expert count)")
                }
            case .mamba:
                guard let m = mamba else { throw bad("mamba", "required key is missing (the stack has Mamba layers)") }
                guard m.innerSize > 0, m.stateSize > 0, m.convWidth > 0, m.dtRank > 0 else {
                    throw bad("mamba", "inner_size, state_size, conv_width and dt_rank must be positive")
                }
            }
        }
    }
}
