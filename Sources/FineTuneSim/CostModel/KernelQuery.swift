/// One single-kernel question for `ftsim kernels`: an operation and its sizes, turned into a ``Kernel``
/// the cost model can time on any GPU.
///
/// Columns `op,m,n,k,elements,dtype`:
/// - `gemm`: (m × k) times (k × n).
/// - `rmsnorm`, `layernorm`, `softmax`: m rows × n columns.
/// - `embedding`: a gather of m rows (tokens) of n columns (the hidden size) from the embedding table.
/// - `silu_mul` (`elements` outputs, 2 × `elements` inputs), `gelu`, `add`, `dequant_nf4`: `elements`.
/// - `rope` (rotary embedding applied in place to q and k): `elements` = tokens × (heads + kv heads) × head dim.
/// - `attention` (causal FlashAttention forward): m = batch × heads, n = sequence length, k = head dim.
/// - `selective_scan` (Mamba forward): m = tokens, n = inner size, k = state size.
public struct KernelQuery: Sendable, Equatable {
    /// Supported operations.
    public enum Op: String, Sendable, CaseIterable {
        case gemm, rmsnorm, layernorm, softmax, embedding, rope
        /// vLLM's `rms_norm` kernel: one block per row reads the row twice (variance, then normalize) and writes it.
        case rmsnormVLLM = "rmsnorm_vllm"
        /// vLLM's `fused_add_rms_norm`: reads the input and the residual, writes their sum to the residual, then
        /// reads it again and writes the normalized row.
        case fusedAddRMSNorm = "fused_add_rmsnorm"
        case siluMul = "silu_mul"
        case gelu, add
        case dequantNF4 = "dequant_nf4"
        case attention
        case selectiveScan = "selective_scan"
    }

    public var op: Op
    public var m: Double, n: Double, k: Double, elements: Double
    public var dtype: DType

    /// Creates a query.
    public init(op: Op, m: Double = 0, n: Double = 0, k: Double = 0, elements: Double = 0, dtype: DType = .bf16) {
        self.op = op
        self.m = m
        self.n = n
        self.k = k
        self.elements = elements
        self.dtype = dtype
    }

    /// Checks the sizes the operation needs; `where` names the row for errors.
    public func validate(source: String, row: String) throws(SimulatorError) {
        func need(_ names: [(String, Double)]) throws(SimulatorError) {
            for (name, v) in names where !(v > 0) || !v.isFinite {
                throw SimulatorError(source: source, key: "\(row) \(name)", "\(op.rawValue) needs a positive \(name), got \(v)")
            }
        }
        switch op {
        case .gemm, .attention, .selectiveScan: try need([("m", m), ("n", n), ("k", k)])
        case .rmsnorm, .layernorm, .softmax, .embedding, .rmsnormVLLM, .fusedAddRMSNorm: try need([("m", m), ("n", n)])
        case .siluMul, .gelu, .add, .dequantNF4, .rope: try need([("elements", elements)])
        }
    }

    /// The kernel with its FLOPs and bytes (same formulas as lowering).
    public var kernel: Kernel {
        let b = dtype.bytes
        switch op {
        case .gemm:
            return Kernel(
                name: "gemm", kind: .gemm, layer: .head, phase: .forward, dtype: dtype, flops: 2 * m * n * k,
                bytes: b * (m * k + k * n + m * n), m: m, n: n, k: k)
        case .rmsnorm:
            return Kernel(
                name: "rmsnorm", kind: .norm, layer: .norm, phase: .forward, dtype: dtype, flops: 4 * m * n, bytes: 2 * b * m * n + b * n,
                elements: m * n)
        case .rmsnormVLLM:
            return Kernel(
                name: "rmsnorm_vllm", kind: .norm, layer: .norm, phase: .forward, dtype: dtype, flops: 4 * m * n,
                bytes: 3 * b * m * n + b * n, elements: m * n)
        case .fusedAddRMSNorm:
            return Kernel(
                name: "fused_add_rmsnorm", kind: .norm, layer: .norm, phase: .forward, dtype: dtype, flops: 5 * m * n,
                bytes: 5 * b * m * n + b * n, elements: m * n)
        case .layernorm:
            // Mean and variance per row, then scale and shift: reads x, writes y, reads weight and bias.
            return Kernel(
                name: "layernorm", kind: .norm, layer: .norm, phase: .forward, dtype: dtype, flops: 8 * m * n,
                bytes: 2 * b * m * n + 2 * b * n, elements: m * n)
        case .embedding:
            // Reads m rows of the table and the m token ids (int64), writes m rows.
            return Kernel(
                name: "embedding", kind: .embedding, layer: .embedding, phase: .forward, dtype: dtype, flops: 0,
                bytes: 2 * b * m * n + 8 * m, elements: m * n)
        case .rope:
            // In place on q and k: x·cos − rotate(x)·sin, one read and one write per element.
            return Kernel(
                name: "rope", kind: .elementwise, layer: .attention, phase: .forward, dtype: dtype, flops: 3 * elements,
                bytes: 2 * b * elements, elements: elements)
        case .softmax:
            return Kernel(
                name: "softmax", kind: .elementwise, layer: .head, phase: .forward, dtype: dtype, flops: 5 * m * n, bytes: 2 * b * m * n,
                elements: m * n)
        case .siluMul:
            return Kernel(
                name: "silu_mul", kind: .elementwise, layer: .mlp, phase: .forward, dtype: dtype, flops: 5 * elements,
                bytes: 3 * b * elements, elements: elements)
        case .gelu:
            return Kernel(
                name: "gelu", kind: .elementwise, layer: .mlp, phase: .forward, dtype: dtype, flops: 8 * elements, bytes: 2 * b * elements,
                elements: elements)
        case .add:
            return Kernel(
                name: "add", kind: .elementwise, layer: .head, phase: .forward, dtype: dtype, flops: elements, bytes: 3 * b * elements,
                elements: elements)
        case .dequantNF4:
            return Kernel(
                name: "dequant_nf4", kind: .dequant, layer: .moe, phase: .forward, dtype: .bf16, flops: 2 * elements,
                bytes: elements * 0.5 + elements / 64 * 4 + elements * 2, elements: elements)
        case .attention:
            // m = batch × heads sequences of n tokens with head dim k; causal.
            let flops = 4 * m * n * n * k * 0.5
            return Kernel(
                name: "flash_fwd", kind: .attention, layer: .attention, phase: .forward, dtype: dtype, flops: flops,
                bytes: b * 4 * m * n * k + m * n * 4, m: n, n: n, k: k, batch: m * 0.5)
        case .selectiveScan:
            // One sequence of m tokens: mamba-ssm's grid of one block per channel (see MambaLowering.scanWork).
            let threads: Double = m <= 512 ? 32 : (m <= 1024 ? 64 : 128)
            return Kernel(
                name: "selective_scan_fwd", kind: .mambaScan, layer: .mamba, phase: .forward, dtype: .fp32,
                flops: m * n * k * 13 + m * n * 20, bytes: b * m * n * 4 + m * 2 * k * 4, m: n, n: threads)
        }
    }
}
