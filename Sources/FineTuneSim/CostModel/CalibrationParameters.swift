/// The cost and memory model's few parameters, GPU-independent in form (fractions of peak, element
/// rates per SM cycle, seconds of host time per launch), read from one file under `Configs/calibration/`.
///
/// Each is a physical quantity with a one-line mechanism and a plausible range (``definitions``); a fit is
/// bounded to the range, and a calibration file with a value outside it is refused. They are fitted on every
/// trace set at once and carry over to every other GPU unchanged.
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

    /// One parameter's definition: its name, hand-set default, physical mechanism and plausible range.
    public struct Definition: Sendable {
        /// The parameter's name in the calibration file.
        public var name: String
        /// The value used before calibration (inside `range`).
        public var value: Double
        /// The physical mechanism, in one line.
        public var doc: String
        /// The plausible physical range; a fit is bounded to it, and a file value outside it is an error.
        public var range: ClosedRange<Double>
        /// Where the range comes from.
        public var rangeSource: String
    }

    /// Every parameter with its mechanism and range, in the fit's vector order.
    public static let definitions: [Definition] = [
        Definition(
            name: "host_launch_forward_s", value: 19e-6,
            doc: "host seconds per eager aten op that launches a kernel in forward and recompute (Python, dispatcher, cudaLaunchKernel)",
            range: 7e-6...60e-6,
            rangeSource:
                "Traces/host-costs: one-kernel forward aten ops on an A100 training host, median 19 µs, p10-p90 7-43 µs; up to 1.4x p90 for the reference host's slower single thread"
        ),
        Definition(
            name: "host_launch_backward_s", value: 24e-6,
            doc: "host seconds per kernel the C++ autograd engine launches in backward (no Python in the loop)",
            range: 4e-6...85e-6,
            rangeSource:
                "Traces/host-costs: one-kernel autograd nodes, median 24 µs, p90 61 µs (up to 1.4x p90 for the reference host); a bare cudaLaunchKernel 3-4 µs"
        ),
        Definition(
            name: "host_launch_optimizer_s", value: 5e-6, doc: "host seconds per multi-tensor (foreach) optimizer launch",
            range: 3e-6...20e-6, rangeSource: "Traces/host-costs: multi_tensor_apply launch to next launch, median 5 µs, p90 7 µs"),
        Definition(
            name: "host_quantized_linear_s", value: 60e-6,
            doc:
                "host seconds of Python per quantized linear call beyond its launches (bitsandbytes/GPTQ autograd function, ctypes pointers, state checks)",
            range: 0...600e-6,
            rangeSource:
                "bitsandbytes 0.42 Linear4bit → matmul_4bit → MatMul4Bit → dequantize_4bit: about 30 Python-level steps (autograd Function, device guards, ctypes pointer conversions, two ctypes calls, allocations) at 5-20 µs each on a 2.3-3.4 GHz server core"
        ),
        Definition(
            name: "host_lora_linear_s", value: 10e-6,
            doc: "host seconds of Python per peft LoRA wrapper call beyond its launches (adapter loop, dtype checks, dropout, scaling)",
            range: 0...150e-6,
            rangeSource:
                "peft 0.7 Linear.forward: adapter loop, dtype checks and casts, dropout, scaling: about 10 Python-level steps at 5-15 µs each"
        ),
        Definition(
            name: "host_list_element_s", value: 150e-9,
            doc:
                "host seconds per element of a Python list converted to or from a tensor (`tolist()`, indexing with a list, as the transformers 4.36-4.40 expert loop does)",
            range: 10e-9...300e-9,
            rangeSource: "CPython boxes (tolist) or type-checks and unboxes (list to tensor) one int per element: tens to a few hundred ns"),
        Definition(
            name: "host_sync_s", value: 11e-6,
            doc: "host seconds to resume after a host-device synchronization (event wake-up, device-to-host copy of a small result)",
            range: 3e-6...73e-6,
            rangeSource: "Traces/host-costs: sync beyond the wait median 6 µs, device-to-host copy beyond the copy median 11 µs, p90 73 µs"),
        Definition(
            name: "host_step_s", value: 2e-3,
            doc:
                "host seconds per optimizer step of trainer bookkeeping outside the kernels (training loop, callbacks, LR scheduler, logging)",
            range: 0...0.03, rangeSource: "Hugging Face Trainer per-step Python: milliseconds, not tenths of a second"),
        Definition(
            name: "kernel_latency_s", value: 2e-6,
            doc: "GPU seconds per kernel beyond its roofline time within its profiled duration (block ramp-up and tail)",
            range: 0.5e-6...6e-6, rangeSource: "the shortest profiled kernels last 2-3 µs on Ampere and Hopper"),
        Definition(
            name: "kernel_gap_s", value: 1.5e-6,
            doc:
                "GPU seconds a stream sits idle between back-to-back kernels (the next launch taken from the queue), outside profiled durations",
            range: 0.5e-6...5e-6, rangeSource: "launch-to-launch gaps of queued kernels in profiler timelines: about 1-3 µs"),
        Definition(
            name: "min_kernel_s", value: 2e-6, doc: "shortest kernel duration", range: 1e-6...5e-6,
            rangeSource: "shortest kernels in profiler traces"),
        Definition(
            name: "gemm_efficiency", value: 0.72, doc: "fraction of tensor-core peak a large matmul reaches", range: 0.5...0.92,
            rangeSource: "cuBLAS large bf16/fp16 GEMMs reach 60-90% of datasheet peak"),
        Definition(
            name: "attention_efficiency", value: 0.65, doc: "fraction of tensor-core peak FlashAttention-2 reaches",
            range: 0.25...0.75, rangeSource: "FlashAttention-2 paper: 50-73% forward, 40-63% backward on A100"),
        Definition(
            name: "memory_efficiency", value: 0.8, doc: "fraction of peak DRAM bandwidth streaming kernels reach", range: 0.55...0.93,
            rangeSource: "STREAM-like copy kernels reach 75-92% of datasheet bandwidth"),
        Definition(
            name: "vector_efficiency", value: 0.5,
            doc: "fraction of fp32 vector peak pointwise arithmetic and the selective scan's instruction mix reach", range: 0.15...0.9,
            rangeSource: "FMA-bound kernels reach up to 90%; mixed instruction streams with special functions less"),
        Definition(
            name: "atomic_adds_per_sm_cycle", value: 0.5,
            doc:
                "fp32 atomic adds the L2 completes per SM clock cycle (whole-GPU throughput / (SMs × clock)): bounds the selective scan's dB/dC accumulation",
            range: 0.25...2, rangeSource: "one atomic per L2 slice per clock; Ampere and Hopper have 0.5-1 slice per SM"),
        Definition(
            name: "dequant_elements_per_sm_cycle", value: 1.5, doc: "4-bit values one SM decodes and expands per clock cycle",
            range: 0.5...8, rangeSource: "a lookup, a scale and a store per value over 4 sub-partitions; measured NF4 decode on A40"),
        Definition(
            name: "gemm_k_overhead", value: 0,
            doc: "reduction length (K elements) a matmul tile's prologue and epilogue cost, amortized over its K loop", range: 0...512,
            rangeSource: "a few pipeline stages of 32-64 K each"),
        Definition(
            name: "gemm_tile", value: 128, doc: "matmul tile edge (output rows and columns per tile) for wave quantization",
            range: 64...256, rangeSource: "cuBLAS/CUTLASS tile shapes"),
        Definition(
            name: "tiles_per_sm", value: 1, doc: "matmul tiles resident per SM at once", range: 1...2,
            rangeSource: "one large tile per SM for 128×128 tiles at full shared memory"),
        Definition(
            name: "context_gb", value: 0.6, doc: "device memory the CUDA context and libraries (cuBLAS workspace, kernels) hold",
            range: 0.3...1.5, rangeSource: "CUDA 11-12 context plus cuBLAS/cuDNN handles: 0.3-1.2 GB"),
        Definition(
            name: "activation_overhead", value: 1.0,
            doc:
                "multiplier on the dynamic peak (activations, gradients, transients) from the caching allocator's block rounding and fragmentation",
            range: 1...1.35, rangeSource: "PyTorch caching allocator: reserved/allocated 1.0-1.3 in steady training"),
        Definition(
            name: "routed_activation_overhead", value: 1.3,
            doc:
                "extra multiplier on per-expert (variable-size, routed-token) buffers, whose changing sizes fragment the caching allocator",
            range: 1...2.5, rangeSource: "variable-size blocks split and stranded in cached segments: up to about 2x"),
        Definition(
            name: "routed_retained_fraction", value: 0.3,
            doc:
                "fraction of a checkpointed MoE sub-layer's routed activations left allocated until backward has passed every layer (eager expert loop only; dense layers retain nothing)",
            range: 0...0.9,
            rangeSource:
                "inferred from the A40 maxima, which grow about 1.9 MB per routed token-expert across 32 layers; not yet confirmed by a memory snapshot"
        ),
        Definition(
            name: "reserved_gb", value: 0.5,
            doc: "device memory the caching allocator keeps reserved beyond live tensors (counted by nvidia-smi and by the OOM limit)",
            range: 0...3, rangeSource: "cached segments and cuBLAS workspaces: a few hundred MB to a few GB in steady training"),
        Definition(
            name: "residual_rms", value: 0,
            doc: "RMS relative residual of the fit (model error beyond parameter uncertainty; 0 before a fit)", range: 0...10,
            rangeSource: "a statistic of the fit, not a model parameter"),
    ]

    /// Names, documentation and defaults of every parameter (the definitions without their ranges).
    public static var catalog: [(name: String, value: Double, doc: String)] { definitions.map { ($0.name, $0.value, $0.doc) } }

    /// A parameter's definition by name.
    public static func definition(_ name: String) -> Definition? { definitions.first { $0.name == name } }

    /// Parameters that shape memory only (no time depends on them).
    public static let memoryParameters: Set<String> = [
        "context_gb", "activation_overhead", "routed_activation_overhead", "routed_retained_fraction", "reserved_gb",
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
        for e in entries {
            guard let d = Self.definition(e.name) else { continue }
            if !e.value.isFinite || !d.range.contains(e.value) {
                throw params.fail(
                    e.name,
                    "\(e.value) is outside the plausible range \(JSONValue.format(d.range.lowerBound))...\(JSONValue.format(d.range.upperBound)) (\(d.doc))"
                )
            }
            if let se = e.standardError, !se.isFinite {
                throw params.fail(e.name + ".stderr", "must be a finite number, got \(se)")
            }
        }
        if let cov = try node.optionalNode("covariance") {
            for (a, row) in cov.values {
                guard let r = row as? [String: Any] else { throw cov.fail(a, "is not a mapping of parameter names to numbers") }
                var out: [String: Double] = [:]
                for (b, v) in r {
                    if let d = v as? Double {
                        guard d.isFinite else { throw cov.fail("\(a).\(b)", "'\(v)' is not a finite number") }
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
    public private(set) var hostQuantizedLinear = 0.0, hostLoRALinear = 0.0, hostListElement = 0.0
    public private(set) var hostStep = 0.0, kernelLatency = 0.0, kernelGap = 0.0, minKernel = 0.0
    public private(set) var gemmEfficiency = 0.0, attentionEfficiency = 0.0, memoryEfficiency = 0.0, vectorEfficiency = 0.0
    public private(set) var atomicRate = 0.0, dequantRate = 0.0, gemmTile = 0.0, tilesPerSM = 0.0, gemmKOverhead = 0.0
    public private(set) var contextBytes = 0.0, activationOverhead = 0.0, reservedBytes = 0.0, routedActivationOverhead = 0.0,
        routedRetained = 0.0

    private mutating func refresh() {
        func v(_ n: String) -> Double { entries.first { $0.name == n }!.value }
        hostLaunchForward = v("host_launch_forward_s")
        hostLaunchBackward = v("host_launch_backward_s")
        hostLaunchOptimizer = v("host_launch_optimizer_s")
        hostSync = v("host_sync_s")
        hostQuantizedLinear = v("host_quantized_linear_s")
        hostLoRALinear = v("host_lora_linear_s")
        hostListElement = v("host_list_element_s")
        hostStep = v("host_step_s")
        kernelLatency = v("kernel_latency_s")
        kernelGap = v("kernel_gap_s")
        minKernel = v("min_kernel_s")
        gemmEfficiency = v("gemm_efficiency")
        attentionEfficiency = v("attention_efficiency")
        memoryEfficiency = v("memory_efficiency")
        vectorEfficiency = v("vector_efficiency")
        atomicRate = v("atomic_adds_per_sm_cycle")
        dequantRate = v("dequant_elements_per_sm_cycle")
        gemmTile = v("gemm_tile")
        gemmKOverhead = v("gemm_k_overhead")
        tilesPerSM = v("tiles_per_sm")
        contextBytes = v("context_gb") * 1e9
        activationOverhead = v("activation_overhead")
        reservedBytes = v("reserved_gb") * 1e9
        routedActivationOverhead = v("routed_activation_overhead")
        routedRetained = v("routed_retained_fraction")
    }

    /// Scales every host-side cost by `1 / speed` (a host `speed` times faster than the reference).
    public func withHostSpeed(_ speed: Double) -> CalibrationParameters {
        var p = self
        for n in [
            "host_launch_forward_s", "host_launch_backward_s", "host_launch_optimizer_s", "host_sync_s", "host_step_s",
            "host_quantized_linear_s", "host_lora_linear_s", "host_list_element_s",
        ] {
            p[n] = self[n] / speed
        }
        return p
    }
}
