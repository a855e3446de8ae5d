/// The part of a training step a kernel belongs to.
public enum Phase: String, Sendable, CaseIterable, Codable {
    case forward
    /// The forward pass replayed during backward under gradient checkpointing.
    case recompute
    case backward
    case optimizer

    /// The phase it is reported under: recompute counts inside backward, as the paper profiled it.
    public var reported: Phase { self == .recompute ? .backward : self }
}

/// The kind of layer a kernel belongs to, for breakdowns.
public enum LayerType: String, Sendable, CaseIterable, Codable {
    case attention, moe, mamba, mlp, norm
    /// Token embedding.
    case embedding
    /// Final norm, LM head and loss.
    case head
    /// Optimizer step (and gradient clipping).
    case optimizer

    /// The key it is reported under in `layers` breakdowns.
    public var reportKey: String {
        switch self {
        case .attention, .moe, .mamba, .mlp, .norm: return rawValue
        case .embedding, .head, .optimizer: return "other"
        }
    }
}
