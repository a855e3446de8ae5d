/// What a segment's host thread does, in order.
public enum HostOp: Sendable, Equatable {
    /// Launch the segment's kernel at this index.
    case launch(Int32)
    /// Block until every stream is idle.
    case sync
    /// Allocate device memory (bytes).
    case alloc(Double)
    /// Free device memory (bytes).
    case free(Double)
    /// Host-side framework work that launches nothing itself (a Python wrapper layer's bookkeeping).
    case hostCall(HostCall)
}

/// Host-side framework work charged per call, beyond per-kernel launch costs.
public enum HostCall: Sendable, Equatable {
    /// A bitsandbytes quantized linear layer (Python-level `Linear4bit` / `MatMul4Bit`).
    case quantizedLinear
    /// A peft LoRA wrapper layer (Python-level adapter loop, dtype checks).
    case loraLinear
    /// Python lists of this many elements converted to or from tensors (`tolist()`, indexing with a list).
    case listElements(Double)
}

/// A run of host operations that repeats unchanged (one layer's forward, one layer's backward, …).
public struct Segment: Sendable {
    /// Human-readable label, e.g. `moe.forward`.
    public var label: String
    /// The kernels it launches.
    public var kernels: [Kernel]
    /// Host operations in order.
    public var ops: [HostOp]

    /// Creates a segment.
    public init(label: String, kernels: [Kernel] = [], ops: [HostOp] = []) {
        self.label = label
        self.kernels = kernels
        self.ops = ops
    }

    /// Net bytes allocated over the segment, and the highest level reached relative to its start.
    public var memoryProfile: (net: Double, peak: Double) {
        var level = 0.0
        var peak = 0.0
        for op in ops {
            switch op {
            case .alloc(let b): level += b; if level > peak { peak = level }
            case .free(let b): level -= b
            default: break
            }
        }
        return (level, peak)
    }
}

/// One training step lowered to kernels: distinct segments and the order in which they run.
///
/// Identical layers share one segment, so a 32-layer model holds a handful of segments, each
/// referenced many times; the engine and the memory walk reuse work on repeats.
public struct Program: Sendable {
    /// Distinct segments.
    public var segments: [Segment]
    /// Segment indices in execution order.
    public var order: [Int]
    /// Bytes resident before the step starts (weights, adapters, gradients' and optimizer state, context).
    public var residentBytes: Double
    /// What the resident bytes are made of, for reports.
    public var residentBreakdown: [(name: String, bytes: Double)]

    /// Creates a program.
    public init(segments: [Segment], order: [Int], residentBytes: Double, residentBreakdown: [(name: String, bytes: Double)]) {
        self.segments = segments
        self.order = order
        self.residentBytes = residentBytes
        self.residentBreakdown = residentBreakdown
    }

    /// Total kernel launches in the step.
    public var kernelCount: Int { order.reduce(0) { $0 + segments[$1].kernels.count } }

    /// Total host–device synchronizations in the step.
    public var syncCount: Int {
        let perSegment = segments.map { seg in seg.ops.reduce(0) { $0 + ($1 == .sync ? 1 : 0) } }
        return order.reduce(0) { $0 + perSegment[$1] }
    }

    /// Peak device memory over the step: resident bytes plus the highest level of the allocation walk.
    public var peakBytes: Double { peak.bytes }

    /// The peak and the segment during which it is reached (the first, when several reach it).
    public var peak: (bytes: Double, segment: String) {
        var profiles: [(net: Double, peak: Double)?] = Array(repeating: nil, count: segments.count)
        var level = residentBytes
        var peak = level
        var at = ""
        for s in order {
            let p: (net: Double, peak: Double)
            if let cached = profiles[s] { p = cached } else { p = segments[s].memoryProfile; profiles[s] = p }
            if level + p.peak > peak {
                peak = level + p.peak
                at = segments[s].label
            }
            level += p.net
        }
        return (peak, at)
    }
}
