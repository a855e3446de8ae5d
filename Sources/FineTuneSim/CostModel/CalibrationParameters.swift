/// The cost and memory model's few parameters, GPU-independent in form (fractions of peak, element
/// rates per SM cycle, seconds of host time per launch), read from one file under `Configs/calibration/`.
///
/// They are fitted once, on the A40 traces alone, and carry over to every other GPU unchanged.
public struct CalibrationParameters: Sendable, Equatable {
    /// One named parameter with its value and, after a fit, its standard error.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var standardError: Double?
        public var doc: String
    }

    /// Parameters in a fixed order (the fit's vector order).
    public private(set) var entries: [Entry]
    /// Covariance of the fitted parameters, by name pairs (empty when not fitted).
    public var covariance: [String: [String: Double]]
    /// Where the values came from (a fit's description, or "hand-set").
    public var provenance: String

    /// Names and documentation of every parameter, with the hand-set defaults used before calibration.
    public static let catalog: [(name: String, value: Double, doc: String)] = [
        ("host_launch_forward_s", 30e-6, "host seconds per kernel launched from Python in forward and recompute"),
        ("host_launch_backward_s", 12e-6, "host seconds per kernel launched by the autograd engine in backward"),
        ("host_launch_optimizer_s", 6e-6, "host seconds per multi-tensor optimizer launch"),
        (
            "host_quantized_linear_s", 0,
            "host seconds of Python framework work per quantized linear call (bitsandbytes); not separable from the LoRA wrapper's on the A40 data, so 0"
        ),
        ("host_lora_linear_s", 50e-6, "host seconds of Python framework work per LoRA wrapper call (peft) in forward"),
        ("host_sync_s", 20e-6, "host seconds per host-device synchronization, beyond waiting for the GPU"),
        ("step_overhead_s", 0.15, "host seconds per step outside the kernels (data loading, trainer bookkeeping)"),
        ("kernel_latency_s", 2.5e-6, "GPU seconds per kernel beyond its roofline time (launch, ramp, tail)"),
        ("min_kernel_s", 2e-6, "shortest kernel duration"),
        ("gemm_efficiency", 0.72, "fraction of tensor-core peak a large matmul reaches"),
        ("attention_efficiency", 0.45, "fraction of tensor-core peak FlashAttention reaches"),
        ("memory_efficiency", 0.8, "fraction of peak DRAM bandwidth streaming kernels reach"),
        ("vector_efficiency", 0.5, "fraction of fp32 vector peak pointwise arithmetic reaches"),
        ("scan_efficiency", 0.25, "fraction of fp32 vector peak the selective scan reaches"),
        ("dequant_elements_per_sm_cycle", 1.1, "NF4/int8 values one SM expands per clock cycle"),
        (
            "gemm_k_overhead", 0,
            "reduction length (K elements) a matmul tile's prologue and epilogue cost, amortized over its K loop (the A40 fit drives it to 0)"
        ),
        ("gemm_tile", 128, "matmul tile edge (output rows and columns per tile) for wave quantization"),
        ("tiles_per_sm", 1, "matmul tiles resident per SM at once"),
        ("context_gb", 0.6, "device memory the CUDA context and libraries hold"),
        (
            "activation_overhead", 1.0,
            "multiplier on the dynamic peak (activations, gradients, transients): above 1 the allocator's caching and fragmentation, below 1 a structural overestimate"
        ),
        ("routed_activation_overhead", 1.0, "multiplier on the memory of per-expert (variable-size, routed-token) buffers"),
        (
            "recompute_retained_fraction", 0,
            "fraction of a checkpointed layer's recomputed activations left allocated until the optimizer step"
        ),
        ("reserved_gb", 0.5, "device memory the framework keeps reserved beyond live tensors"),
        ("residual_rms", 0, "RMS relative residual of the fit (model error beyond parameter uncertainty; 0 before a fit)"),
    ]

    /// Parameters that shape memory only (no time depends on them).
    public static let memoryParameters: Set<String> = [
        "context_gb", "activation_overhead", "routed_activation_overhead", "recompute_retained_fraction", "reserved_gb",
    ]

    /// The hand-set defaults.
    public init() {
        entries = Self.catalog.map { Entry(name: $0.name, value: $0.value, standardError: nil, doc: $0.doc) }
        covariance = [:]
        provenance = "hand-set defaults (before calibration)"
        refresh()
    }

    /// Reads parameters from a calibration YAML file: `parameters: {name: value | {value:, stderr:}}`.
    public init(node: ConfigNode) throws(SimulatorError) {
        self.init()
        provenance = try node.string("provenance", default: "file \(node.source)")
        let params = try node.node("parameters")
        for key in params.values.keys where Self.catalog.firstIndex(where: { $0.name == key }) == nil {
            throw params.fail(key, "unknown calibration parameter (known: \(Self.catalog.map(\.name).joined(separator: ", ")))")
        }
        for i in entries.indices {
            let name = entries[i].name
            guard params.has(name) else { continue }
            if let sub = try? params.node(name) {
                entries[i].value = try sub.double("value", nonNegative: true)
                entries[i].standardError = try sub.optionalDouble("stderr", nonNegative: true)
            } else {
                entries[i].value = try params.double(name, nonNegative: true)
            }
        }
        for name in ["gemm_efficiency", "attention_efficiency", "memory_efficiency", "vector_efficiency", "scan_efficiency"] {
            let v = self[name]
            if !(v > 0 && v <= 1.5) { throw params.fail(name, "must be in (0, 1.5], got \(v)") }
        }
        for name in ["dequant_elements_per_sm_cycle", "gemm_tile", "tiles_per_sm", "activation_overhead", "routed_activation_overhead"]
        where !(self[name] > 0) {
            throw params.fail(name, "must be positive, got \(self[name])")
        }
        if !(self["recompute_retained_fraction"] < 1) {
            throw params.fail("recompute_retained_fraction", "must be below 1, got \(self["recompute_retained_fraction"])")
        }
        if let cov = try node.optionalNode("covariance") {
            for (a, row) in cov.values {
                guard let r = row as? [String: Any] else { throw cov.fail(a, "is not a mapping of parameter names to numbers") }
                var out: [String: Double] = [:]
                for (b, v) in r {
                    if let d = v as? Double {
                        out[b] = d
                    } else if let i = v as? Int {
                        out[b] = Double(i)
                    } else {
                        throw cov.fail("\(a).\(b)", "'\(v)' is not a number")
                    }
                }
                covariance[a] = out
            }
        }
        refresh()
    }

    /// A parameter's value by name (0 for an unknown name).
    public subscript(name: String) -> Double {
        get { entries.first { $0.name == name }?.value ?? 0 }
        set {
            if let i = entries.firstIndex(where: { $0.name == name }) { entries[i].value = newValue }
            refresh()
        }
    }

    /// Sets a parameter's standard error.
    public mutating func setStandardError(_ name: String, _ se: Double?) {
        if let i = entries.firstIndex(where: { $0.name == name }) { entries[i].standardError = se }
    }

    // Cached values for the hot path.
    public private(set) var hostLaunchForward = 0.0, hostLaunchBackward = 0.0, hostLaunchOptimizer = 0.0, hostSync = 0.0
    public private(set) var hostQuantizedLinear = 0.0, hostLoRALinear = 0.0
    public private(set) var stepOverhead = 0.0, kernelLatency = 0.0, minKernel = 0.0
    public private(set) var gemmEfficiency = 0.0, attentionEfficiency = 0.0, memoryEfficiency = 0.0, vectorEfficiency = 0.0
    public private(set) var scanEfficiency = 0.0, dequantRate = 0.0, gemmTile = 0.0, tilesPerSM = 0.0, gemmKOverhead = 0.0
    public private(set) var contextBytes = 0.0, activationOverhead = 0.0, reservedBytes = 0.0, routedActivationOverhead = 0.0,
        recomputeRetained = 0.0

    private mutating func refresh() {
        func v(_ n: String) -> Double { entries.first { $0.name == n }!.value }
        hostLaunchForward = v("host_launch_forward_s")
        hostLaunchBackward = v("host_launch_backward_s")
        hostLaunchOptimizer = v("host_launch_optimizer_s")
        hostSync = v("host_sync_s")
        hostQuantizedLinear = v("host_quantized_linear_s")
        hostLoRALinear = v("host_lora_linear_s")
        stepOverhead = v("step_overhead_s")
        kernelLatency = v("kernel_latency_s")
        minKernel = v("min_kernel_s")
        gemmEfficiency = v("gemm_efficiency")
        attentionEfficiency = v("attention_efficiency")
        memoryEfficiency = v("memory_efficiency")
        vectorEfficiency = v("vector_efficiency")
        scanEfficiency = v("scan_efficiency")
        dequantRate = v("dequant_elements_per_sm_cycle")
        gemmTile = v("gemm_tile")
        gemmKOverhead = v("gemm_k_overhead")
        tilesPerSM = v("tiles_per_sm")
        contextBytes = v("context_gb") * 1e9
        activationOverhead = v("activation_overhead")
        reservedBytes = v("reserved_gb") * 1e9
        routedActivationOverhead = v("routed_activation_overhead")
        recomputeRetained = v("recompute_retained_fraction")
    }

    /// Scales every host-side cost by `1 / speed` (a host `speed` times faster than the reference).
    public func withHostSpeed(_ speed: Double) -> CalibrationParameters {
        var p = self
        for n in [
            "host_launch_forward_s", "host_launch_backward_s", "host_launch_optimizer_s", "host_sync_s", "step_overhead_s",
            "host_quantized_linear_s", "host_lora_linear_s",
        ] {
            p[n] = self[n] / speed
        }
        return p
    }
}
