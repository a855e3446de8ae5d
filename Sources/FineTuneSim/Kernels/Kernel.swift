/// One GPU kernel of a training step, with the work it does.
public struct Kernel: Sendable, Equatable {
    /// Stable name within its layer, e.g. `w1.dequant` or `flash_fwd`.
    public var name: String
    /// Kernel kind.
    public var kind: KernelKind
    /// Layer type it belongs to.
    public var layer: LayerType
    /// Phase it runs in.
    public var phase: Phase
    /// Element type it computes in.
    public var dtype: DType
    /// Floating-point operations.
    public var flops: Double
    /// Bytes read and written in device memory.
    public var bytes: Double
    /// Matrix shape (m × k times k × n, `batch` independent products) for tensor-core kernels. For the selective
    /// scan, `m` is its thread blocks and `n` the threads per block (k = 0); zeros otherwise.
    public var m: Double, n: Double, k: Double, batch: Double
    /// Elements processed, for element-rate-bound kernels: values decoded by a dequantize; fp32 atomic adds into
    /// L2 by the selective scan's backward.
    public var elements: Double
    /// Whether the host waits for the GPU right after launching it (e.g. `nonzero` reading a count).
    public var syncsHost: Bool

    /// Creates a kernel.
    public init(
        name: String, kind: KernelKind, layer: LayerType, phase: Phase, dtype: DType = .bf16, flops: Double, bytes: Double,
        m: Double = 0, n: Double = 0, k: Double = 0, batch: Double = 1, elements: Double = 0, syncsHost: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.layer = layer
        self.phase = phase
        self.dtype = dtype
        self.flops = flops
        self.bytes = bytes
        self.m = m
        self.n = n
        self.k = k
        self.batch = batch
        self.elements = elements
        self.syncsHost = syncsHost
    }

    /// Whether it runs on tensor cores (a matrix product).
    public var isMatrix: Bool { m > 0 && n > 0 && k > 0 }

    /// FLOPs per byte moved.
    public var arithmeticIntensity: Double { bytes > 0 ? flops / bytes : 0 }
}
