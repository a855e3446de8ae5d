/// The closed set of kernel kinds a fine-tuning step is lowered to.
///
/// The raw values are the names users see in JSON, CSV and the kernel-name map, and must not change.
public enum KernelKind: String, Sendable, CaseIterable, Codable, Hashable {
    /// Fused scaled-dot-product attention (FlashAttention-2 or the eager equivalent).
    case attention
    /// The MoE router: router matmul, softmax or sigmoid, top-k, token permute/unpermute.
    case gating
    /// One expert's feed-forward matmul, sized by the tokens routed to it.
    case expertFFN = "expert_ffn"
    /// Mamba's selective scan.
    case mambaScan = "mamba_scan"
    /// Mamba's depthwise causal convolution.
    case conv1d
    /// Expanding quantized weights (NF4, int8) to the compute dtype.
    case dequant
    /// The low-rank adapter matmuls and their scaling.
    case lora
    /// Any other linear layer.
    case gemm
    /// RMSNorm or LayerNorm.
    case norm
    /// Pointwise and reduction kernels: activations, residual adds, casts, copies, RoPE.
    case elementwise
    /// Token embedding lookup and its gradient.
    case embedding
    /// Cross-entropy over the vocabulary.
    case loss
    /// The optimizer update.
    case optimizer

    /// Position in `allCases`, for array-indexed accumulation on hot paths.
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .attention: return 0
        case .gating: return 1
        case .expertFFN: return 2
        case .mambaScan: return 3
        case .conv1d: return 4
        case .dequant: return 5
        case .lora: return 6
        case .gemm: return 7
        case .norm: return 8
        case .elementwise: return 9
        case .embedding: return 10
        case .loss: return 11
        case .optimizer: return 12
        }
    }
}
