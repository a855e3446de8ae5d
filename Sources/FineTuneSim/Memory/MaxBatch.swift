/// The largest batch whose step fits in a GPU's memory, from the memory model alone (no GPU constant:
/// another GPU's maximum follows from its capacity).
public struct MaxBatch: Sendable {
    /// The answer.
    public struct Result: Sendable, Equatable {
        /// Largest batch that fits (0: none fits).
        public var maxBatch: Int
        /// Peak memory at that batch (at batch 1 when none fits), in bytes.
        public var peakBytes: Double
        /// The padded length the batch must hold.
        public var seq: Int
    }

    /// Memory parameters.
    public let parameters: CalibrationParameters
    /// Upper bound of the search.
    public let limit: Int

    /// Creates a search.
    public init(parameters: CalibrationParameters, limit: Int = 65536) {
        self.parameters = parameters
        self.limit = limit
    }

    /// Peak memory of a step at a batch and padded length.
    public func peakBytes(model: ModelSpec, method: FineTuneMethod, batch: Int, seq: Int, routing: Routing = .uniform) -> Double {
        let program = Lowering.lower(
            model: model, method: method, workload: Workload(batch: batch, seq: seq, routing: routing), memory: LoweringMemory(parameters))
        return MemoryEstimate(program: program, parameters: parameters).peakBytes
    }

    /// The largest batch that fits `capacityBytes` at padded length `seq` (peak memory grows with batch).
    public func search(model: ModelSpec, method: FineTuneMethod, seq: Int, capacityBytes: Double, routing: Routing = .uniform) -> Result {
        func fits(_ b: Int) -> (Bool, Double) {
            let p = peakBytes(model: model, method: method, batch: b, seq: seq, routing: routing)
            return (p <= capacityBytes, p)
        }
        let (ok1, p1) = fits(1)
        guard ok1 else { return Result(maxBatch: 0, peakBytes: p1, seq: seq) }
        var lo = 1, loPeak = p1
        var hi = 2
        while hi <= limit {
            let (ok, p) = fits(hi)
            if !ok { break }
            lo = hi
            loPeak = p
            hi *= 2
        }
        if hi > limit { return Result(maxBatch: lo, peakBytes: loPeak, seq: seq) }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            let (ok, p) = fits(mid)
            if ok { lo = mid; loPeak = p } else { hi = mid }
        }
        return Result(maxBatch: lo, peakBytes: loPeak, seq: seq)
    }
}
