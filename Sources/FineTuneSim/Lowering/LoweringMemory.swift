/// The memory model's parameters that shape the allocation walk lowering emits (no kernel depends on them).
public struct LoweringMemory: Sendable, Equatable, Hashable {
    /// Multiplier on the memory of per-expert (routed-token) buffers.
    public var routedScale: Double
    /// Fraction of a checkpointed unit's recomputed activations that stays allocated until the optimizer
    /// step (blocks the caching allocator cannot hand back between recomputes).
    public var recomputeRetained: Double

    /// Neutral values: every buffer at its size, everything freed when done.
    public init(routedScale: Double = 1, recomputeRetained: Double = 0) {
        self.routedScale = routedScale
        self.recomputeRetained = recomputeRetained
    }

    /// The values in calibration parameters.
    public init(_ p: CalibrationParameters) {
        self.init(routedScale: p.routedActivationOverhead, recomputeRetained: p.recomputeRetained)
    }
}
