/// What one training step processes: a batch of queries padded to one length.
public struct Workload: Sendable, Equatable {
    /// Queries per step.
    public var batch: Int
    /// Tokens per query after padding.
    public var seq: Int
    /// How tokens are routed over experts.
    public var routing: Routing

    /// Creates a workload; sizes must be positive (checked by the caller that parsed them).
    public init(batch: Int, seq: Int, routing: Routing = .uniform) {
        self.batch = batch
        self.seq = seq
        self.routing = routing
    }

    /// Tokens per step.
    public var tokens: Int { batch * seq }
}
