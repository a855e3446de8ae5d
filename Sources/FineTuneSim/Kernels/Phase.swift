/// The part of a training step a kernel belongs to.
public enum Phase: String, Sendable, CaseIterable, Codable {
    case forward
    /// The forward pass replayed during backward under gradient checkpointing.
    case recompute
    case backward
    case optimizer

    /// Position in `allCases`.
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .forward: return 0
        case .recompute: return 1
        case .backward: return 2
        case .optimizer: return 3
        }
    }

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

    /// Position in `allCases`.
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .attention: return 0
        case .moe: return 1
        case .mamba: return 2
        case .mlp: return 3
        case .norm: return 4
        case .embedding: return 5
        case .head: return 6
        case .optimizer: return 7
        }
    }

    /// The key it is reported under in `layers` breakdowns.
    public var reportKey: String {
        switch self {
        case .attention, .moe, .mamba, .mlp, .norm: return rawValue
        case .embedding, .head, .optimizer: return "other"
        }
    }
}
