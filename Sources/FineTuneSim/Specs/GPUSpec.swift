/// A GPU described by its datasheet: the only thing the simulator knows about it.
///
/// Keys of `Configs/gpus/<id>.yaml` are named exactly as the columns of the reference `gpus.csv`, plus the
/// optional `ecc_reserved_fraction` and the optional `host:` block (the CPU that drives the GPU, see
/// ``HostSpec``).
/// Nothing about a GPU is hard-coded: a new GPU is a new file.
public struct GPUSpec: Sendable, Equatable {
    /// Short id (the YAML file's name), e.g. `a40`.
    public var id: String
    /// Marketing name.
    public var name: String
    /// Architecture family, e.g. `ampere`.
    public var arch: String
    /// Streaming multiprocessors (compute units on AMD).
    public var sms: Int
    /// Boost clock in MHz.
    public var boostMHz: Double
    /// Dense bf16 tensor-core peak in TFLOP/s.
    public var bf16TensorTFLOPS: Double
    /// fp32 vector (non-tensor) peak in TFLOP/s.
    public var fp32TFLOPS: Double
    /// Dense tf32 tensor peak in TFLOP/s, when the GPU has one.
    public var tf32TensorTFLOPS: Double?
    /// Dense fp8 tensor peak in TFLOP/s, when the GPU has one.
    public var fp8TensorTFLOPS: Double?
    /// Dense int8 tensor peak in TOP/s, when the GPU has one.
    public var int8TensorTOPS: Double?
    /// Memory capacity as the datasheet states it, in GB. Vendors count device memory in binary gigabytes
    /// (GiB): an "80 GB" A100 has 81,920 MiB, a "48 GB" A40 49,152 MiB.
    public var memoryGB: Double
    /// Fraction of the memory that ECC reserves when it is on: 1/16 on data-center GDDR6 GPUs (A40, A10, L4,
    /// L40S), whose ECC is in-band and on by default (nvidia-smi shows an A40's 46,068 MiB); 0 for HBM, whose
    /// check bits are out of band, and for GPUs that ship with ECC off. Key `ecc_reserved_fraction`.
    public var eccReservedFraction: Double
    /// Memory technology, e.g. `HBM3`.
    public var memoryType: String
    /// Peak memory bandwidth in GB/s.
    public var bandwidthGBs: Double
    /// L2 cache in MB.
    public var l2MB: Double?
    /// Shared memory per SM in KB.
    public var smemPerSMKB: Double?
    /// Board power in W.
    public var tdpW: Double?
    /// Free-text notes.
    public var notes: String
    /// The host CPU this GPU is paired with (`host:` {`cpu`, `single_thread_speed`, `notes`}), when the file
    /// names one; nil means the reference host.
    public var host: HostSpec?

    /// Device memory a step can use, in bytes: the datasheet capacity (binary GB) less what ECC reserves. The
    /// CUDA context and the framework's reserve come off this (calibration parameters).
    public var memoryBytes: Double { memoryGB * 1_073_741_824 * (1 - eccReservedFraction) }
    /// ``memoryBytes`` in GB (10^9 bytes), the unit of peak-memory figures.
    public var usableMemoryGB: Double { memoryBytes / 1e9 }
    /// Bandwidth in bytes per second.
    public var bandwidthBytesPerSecond: Double { bandwidthGBs * 1e9 }
    /// Boost clock in Hz.
    public var clockHz: Double { boostMHz * 1e6 }

    /// Peak FLOP/s for matrix work in `dtype`, on tensor cores where the GPU has them.
    public func matrixPeakFLOPS(_ dtype: DType) -> Double {
        switch dtype {
        case .bf16, .fp16: return bf16TensorTFLOPS * 1e12
        case .fp8: return (fp8TensorTFLOPS ?? bf16TensorTFLOPS) * 1e12
        case .int8, .nf4: return (int8TensorTOPS ?? bf16TensorTFLOPS) * 1e12
        case .fp32: return (tf32TensorTFLOPS ?? fp32TFLOPS) * 1e12
        }
    }

    /// Peak FLOP/s for vector (non-tensor) arithmetic.
    public var vectorPeakFLOPS: Double { fp32TFLOPS * 1e12 }

    /// Creates a spec directly (tests, studies that scale a GPU).
    public init(
        id: String, name: String, arch: String = "", sms: Int, boostMHz: Double, bf16TensorTFLOPS: Double,
        fp32TFLOPS: Double, tf32TensorTFLOPS: Double? = nil, fp8TensorTFLOPS: Double? = nil,
        int8TensorTOPS: Double? = nil, memoryGB: Double, eccReservedFraction: Double = 0, memoryType: String = "",
        bandwidthGBs: Double, l2MB: Double? = nil, smemPerSMKB: Double? = nil, tdpW: Double? = nil, notes: String = "",
        host: HostSpec? = nil
    ) {
        self.id = id
        self.name = name
        self.arch = arch
        self.sms = sms
        self.boostMHz = boostMHz
        self.bf16TensorTFLOPS = bf16TensorTFLOPS
        self.fp32TFLOPS = fp32TFLOPS
        self.tf32TensorTFLOPS = tf32TensorTFLOPS
        self.fp8TensorTFLOPS = fp8TensorTFLOPS
        self.int8TensorTOPS = int8TensorTOPS
        self.memoryGB = memoryGB
        self.eccReservedFraction = eccReservedFraction
        self.memoryType = memoryType
        self.bandwidthGBs = bandwidthGBs
        self.l2MB = l2MB
        self.smemPerSMKB = smemPerSMKB
        self.tdpW = tdpW
        self.notes = notes
        self.host = host
    }

    /// Reads a spec from a parsed YAML mapping; `id` defaults to the file's base name.
    public init(node: ConfigNode, id: String) throws(SimulatorError) {
        self.id = try node.string("id", default: id)
        name = try node.string("name", default: self.id)
        arch = try node.string("arch", default: "")
        sms = try node.int("sms", minimum: 1)
        boostMHz = try node.double("boost_mhz", positive: true)
        bf16TensorTFLOPS = try node.double("bf16_tensor_tflops", positive: true)
        fp32TFLOPS = try node.double("fp32_tflops", positive: true)
        tf32TensorTFLOPS = try node.optionalDouble("tf32_tensor_tflops", positive: true)
        fp8TensorTFLOPS = try node.optionalDouble("fp8_tensor_tflops", positive: true)
        int8TensorTOPS = try node.optionalDouble("int8_tensor_tops", positive: true)
        memoryGB = try node.double("memory_gb", positive: true)
        eccReservedFraction = try node.double("ecc_reserved_fraction", default: 0, nonNegative: true)
        guard eccReservedFraction < 1 else { throw node.fail("ecc_reserved_fraction", "must be below 1, got \(eccReservedFraction)") }
        memoryType = try node.string("memory_type", default: "")
        bandwidthGBs = try node.double("bandwidth_gbs", positive: true)
        l2MB = try node.optionalDouble("l2_mb", positive: true)
        smemPerSMKB = try node.optionalDouble("smem_per_sm_kb", positive: true)
        tdpW = try node.optionalDouble("tdp_w", positive: true)
        notes = try node.string("notes", default: "")
        if let h = try node.optionalNode("host") { host = try HostSpec(node: h) } else { host = nil }
    }

    /// The same GPU with its resources scaled, for sensitivity studies.
    public func scaled(bandwidth: Double = 1, sms smScale: Double = 1, compute: Double = 1, memory: Double = 1) -> GPUSpec {
        var g = self
        g.bandwidthGBs *= bandwidth
        let newSMs = max(1, Int((Double(sms) * smScale).rounded()))
        // Peak rates scale with the SM count and with the per-SM compute factor.
        let rate = compute * Double(newSMs) / Double(sms)
        g.sms = newSMs
        g.bf16TensorTFLOPS *= rate
        g.fp32TFLOPS *= rate
        g.tf32TensorTFLOPS = g.tf32TensorTFLOPS.map { $0 * rate }
        g.fp8TensorTFLOPS = g.fp8TensorTFLOPS.map { $0 * rate }
        g.int8TensorTOPS = g.int8TensorTOPS.map { $0 * rate }
        g.boostMHz *= compute
        g.memoryGB *= memory
        return g
    }
}
