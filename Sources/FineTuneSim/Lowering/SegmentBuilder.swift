/// Builds one segment: kernels in launch order, host synchronizations, and the device memory they
/// allocate and free. Lowering code for each block kind drives it.
public struct SegmentBuilder {
    /// The segment being built.
    public private(set) var segment: Segment
    /// The layer type stamped on kernels launched now.
    public var layer: LayerType
    /// The phase stamped on kernels launched now.
    public var phase: Phase
    /// The compute dtype's bytes per element.
    public let act: Double
    /// Multiplier on the bytes of ``alloc(_:)`` and ``free(_:)`` (set while emitting routed-token buffers,
    /// whose variable sizes fragment the caching allocator).
    public var memoryScale: Double = 1

    /// Starts a segment.
    public init(label: String, layer: LayerType, phase: Phase, computeBytes: Double = 2) {
        segment = Segment(label: label)
        self.layer = layer
        self.phase = phase
        act = computeBytes
    }

    /// Launches a kernel.
    public mutating func launch(
        _ name: String, _ kind: KernelKind, flops: Double = 0, bytes: Double, m: Double = 0, n: Double = 0, k: Double = 0,
        batch: Double = 1, elements: Double = 0, dtype: DType = .bf16, sync: Bool = false
    ) {
        let index = Int32(segment.kernels.count)
        segment.kernels.append(
            Kernel(
                name: name, kind: kind, layer: layer, phase: phase, dtype: dtype, flops: flops, bytes: bytes, m: m, n: n, k: k,
                batch: batch, elements: elements, syncsHost: sync))
        segment.ops.append(.launch(index))
        if sync { segment.ops.append(.sync) }
    }

    /// A matrix product of (m × k) by (k × n), `batch` times, in the compute dtype.
    public mutating func gemm(_ name: String, _ kind: KernelKind, m: Double, n: Double, k: Double, batch: Double = 1) {
        guard m > 0, n > 0, k > 0 else { return }
        launch(
            name, kind, flops: 2 * m * n * k * batch, bytes: act * (m * k + k * n + m * n) * batch, m: m, n: n, k: k, batch: batch)
    }

    /// A pointwise or reduction kernel over `elements`, reading `reads` and writing `writes` values of
    /// `bytesPerElement` each per element.
    public mutating func pointwise(
        _ name: String, _ kind: KernelKind = .elementwise, elements: Double, reads: Double = 1, writes: Double = 1,
        bytesPerElement: Double? = nil, flopsPerElement: Double = 1, sync: Bool = false
    ) {
        guard elements > 0 else { return }
        let b = bytesPerElement ?? act
        launch(
            name, kind, flops: elements * flopsPerElement, bytes: elements * (reads + writes) * b, elements: elements, dtype: .fp32,
            sync: sync)
    }

    /// Allocates device memory (scaled by ``memoryScale``).
    public mutating func alloc(_ bytes: Double) { if bytes > 0 { segment.ops.append(.alloc(bytes * memoryScale)) } }

    /// Frees device memory (scaled by ``memoryScale``).
    public mutating func free(_ bytes: Double) { if bytes > 0 { segment.ops.append(.free(bytes * memoryScale)) } }

    /// Allocates device memory that is not a routed-token buffer (weight gradients), whatever the scale.
    public mutating func allocUnscaled(_ bytes: Double) { if bytes > 0 { segment.ops.append(.alloc(bytes)) } }

    /// Frees device memory allocated with ``allocUnscaled(_:)``.
    public mutating func freeUnscaled(_ bytes: Double) { if bytes > 0 { segment.ops.append(.free(bytes)) } }

    /// Charges host-side framework work.
    public mutating func hostCall(_ call: HostCall) { segment.ops.append(.hostCall(call)) }

    /// Makes the host wait for the GPU.
    public mutating func sync() { segment.ops.append(.sync) }

    /// Appends another segment's operations (kernels re-indexed), keeping its own layer and phase labels.
    public mutating func append(_ other: Segment) {
        let base = Int32(segment.kernels.count)
        segment.kernels += other.kernels
        for op in other.ops {
            if case .launch(let i) = op { segment.ops.append(.launch(i + base)) } else { segment.ops.append(op) }
        }
    }
}
