/// Numeric formats of weights, activations and optimizer state.
public enum DType: String, Sendable, CaseIterable, Codable {
    case fp32, bf16, fp16, fp8, int8, nf4

    /// Storage bytes per element (NF4 packs two values per byte).
    public var bytes: Double {
        switch self {
        case .fp32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        case .nf4: return 0.5
        }
    }
}
