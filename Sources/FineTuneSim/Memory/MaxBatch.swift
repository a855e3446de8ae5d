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

    /// The largest batch (as ``search(model:method:seq:capacityBytes:routing:)`` finds it) and its range at
    /// `confidence` (95% by default) under the fitted memory parameters' uncertainty (their covariance,
    /// propagated to the peak at each batch): `low` still fits at the peak interval's upper end, `high` already
    /// at its lower end. Both equal the point answer when the calibration carries no fitted memory parameter.
    public func range(
        model: ModelSpec, method: FineTuneMethod, seq: Int, capacityBytes: Double, routing: Routing = .uniform, confidence: Double = 0.95
    ) -> (result: Result, low: Int, high: Int) {
        let u = Uncertainty(parameters: parameters, confidence: confidence)
        var intervals: [Int: Uncertainty.Interval] = [:]
        func peak(_ b: Int) -> Uncertainty.Interval {
            if let hit = intervals[b] { return hit }
            let i = u.interval(only: CalibrationParameters.memoryParameters, residualScatter: false) { p in
                MaxBatch(parameters: p).peakBytes(model: model, method: method, batch: b, seq: seq, routing: routing)
            }
            intervals[b] = i
            return i
        }
        // The bounds grow with the batch, as the peak does; the three searches share the intervals they compute.
        let b = Self.largest(limit: limit) { peak($0).value <= capacityBytes }
        return (
            Result(maxBatch: b, peakBytes: peak(max(1, b)).value, seq: seq), Self.largest(limit: limit) { peak($0).high <= capacityBytes },
            Self.largest(limit: limit) { peak($0).low <= capacityBytes }
        )
    }

    /// The largest batch that fits `capacityBytes` at padded length `seq` (peak memory grows with batch).
    public func search(model: ModelSpec, method: FineTuneMethod, seq: Int, capacityBytes: Double, routing: Routing = .uniform) -> Result {
        var peaks: [Int: Double] = [:]
        func peak(_ b: Int) -> Double {
            if let hit = peaks[b] { return hit }
            let p = peakBytes(model: model, method: method, batch: b, seq: seq, routing: routing)
            peaks[b] = p
            return p
        }
        let b = Self.largest(limit: limit) { peak($0) <= capacityBytes }
        return Result(maxBatch: b, peakBytes: peak(max(1, b)), seq: seq)
    }

    /// The largest batch in 1...limit for which `fits` holds (0 when none), by doubling then bisection;
    /// `fits` must hold below any batch where it holds.
    static func largest(limit: Int, _ fits: (Int) -> Bool) -> Int {
        guard fits(1) else { return 0 }
        var lo = 1, hi = 2
        while hi <= limit, fits(hi) {
            lo = hi
            hi *= 2
        }
        if lo == limit { return lo }
        hi = min(hi, limit + 1)  // fits(hi) is false, or hi is just past the limit
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if fits(mid) { lo = mid } else { hi = mid }
        }
        return lo
    }
}
