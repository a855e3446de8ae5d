/// Device memory of a step: the resident state (weights, adapters, optimizer state) plus the
/// high-water mark of the activations, gradients and transient buffers the timeline allocates and frees,
/// plus the framework's fixed overheads (calibration parameters).
public struct MemoryEstimate: Sendable, Equatable {
    /// Bytes of weights, adapters and optimizer state.
    public var residentBytes: Double
    /// Highest bytes of activations, gradients and transients above the resident state (with the
    /// allocator overhead applied).
    public var peakDynamicBytes: Double
    /// CUDA context and framework reserve.
    public var fixedBytes: Double
    /// Resident state by component.
    public var breakdown: [String: Double]
    /// The segment (e.g. `moe.backward`) during which the peak is reached.
    public var peakSegment: String

    /// Peak device memory in bytes.
    public var peakBytes: Double { residentBytes + peakDynamicBytes + fixedBytes }
    /// Peak device memory in GB.
    public var peakGB: Double { peakBytes / 1e9 }

    /// Whether the step fits on a GPU.
    public func fits(_ gpu: GPUSpec) -> Bool { peakBytes <= gpu.memoryBytes }

    /// Estimates the memory of a lowered step.
    public init(program: Program, parameters p: CalibrationParameters) {
        residentBytes = program.residentBytes
        let peak = program.peak
        peakSegment = peak.segment
        peakDynamicBytes = max(0, peak.bytes - program.residentBytes) * p.activationOverhead
        fixedBytes = p.contextBytes + p.reservedBytes
        var b: [String: Double] = [:]
        for (name, bytes) in program.residentBreakdown { b[name] = bytes }
        b["activations_and_gradients"] = peakDynamicBytes
        b["framework"] = fixedBytes
        breakdown = b
    }
}
