/// The memory model's parameters that shape the allocation walk lowering emits (no kernel depends on them).
public struct LoweringMemory: Sendable, Equatable, Hashable {
    /// Multiplier on the memory of per-expert (routed-token) buffers.
    public var routedScale: Double
    /// Fraction of a checkpointed MoE sub-layer's routed activations that stays allocated until the optimizer
    /// step (the eager expert loop's; dense sub-layers retain nothing).
    public var routedRetained: Double

    /// Neutral values: every buffer at its size, everything freed when done.
    public init(routedScale: Double = 1, routedRetained: Double = 0) {
        self.routedScale = routedScale
        self.routedRetained = routedRetained
    }

    /// The values in calibration parameters.
    public init(_ p: CalibrationParameters) {
        self.init(routedScale: p.routedActivationOverhead, routedRetained: p.routedRetained)
    }
}
