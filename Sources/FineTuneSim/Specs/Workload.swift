/// What one training step processes: a batch of queries padded to one length, or several such micro-batches
/// under gradient accumulation (one optimizer step after `gradAccum` forward/backward passes).
public struct Workload: Sendable, Equatable {
    /// Queries per micro-batch (per forward/backward pass).
    public var batch: Int
    /// Tokens per query after padding.
    public var seq: Int
    /// How tokens are routed over experts.
    public var routing: Routing
    /// Micro-batches per optimizer step (gradient accumulation; 1: none).
    public var gradAccum: Int

    /// Creates a workload; sizes must be positive (checked by the caller that parsed them, e.g. with
    /// ``validateGradAccum(_:source:)``).
    public init(batch: Int, seq: Int, routing: Routing = .uniform, gradAccum: Int = 1) {
        self.batch = batch
        self.seq = seq
        self.routing = routing
        self.gradAccum = gradAccum
    }

    /// Tokens per micro-batch.
    public var tokens: Int { batch * seq }
    /// Queries per optimizer step (batch × accumulation).
    public var queriesPerStep: Int { batch * gradAccum }
    /// Tokens per optimizer step.
    public var tokensPerStep: Int { tokens * gradAccum }

    /// Checks a gradient-accumulation count read from `source` (a flag or a file and key).
    public static func validateGradAccum(_ n: Int, source: String, key: String = "") throws(SimulatorError) {
        guard n >= 1 else { throw SimulatorError(source: source, key: key, "must be at least 1, got \(n)") }
    }
}
