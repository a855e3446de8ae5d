/// One measured quantity the simulator is validated and calibrated against.
public struct Measurement: Sendable, Equatable {
    /// What was measured.
    public enum Quantity: String, Sendable, CaseIterable {
        /// Queries per second over a dataset.
        case throughput = "throughput_qps"
        /// Seconds of forward per step (fixed length).
        case forward = "forward_s"
        /// Seconds of backward (with recompute) per step.
        case backward = "backward_s"
        /// Seconds of optimizer per step.
        case optimizer = "optimizer_s"
        /// Largest batch that fits.
        case maxBatch = "max_batch"
        /// Mean seconds of one kernel call in an MoE layer's forward pass.
        case kernel = "kernel_s"
        /// Seconds per step (forward + backward) in one layer type (`layer` holds the report key).
        case layer = "layer_s"
        /// Seconds per optimizer step (`gradAccum` forward/backward passes and one optimizer update).
        case stepTime = "step_s"
        /// Peak device memory of a step, in GB (10^9 bytes).
        case peakMemory = "peak_memory_gb"

        /// Seconds of one kernel (`query` holds its operation and shape); predicted by the cost model alone.
        case op = "op_s"

        /// Whether it measures memory (fitted by the memory parameters) rather than time.
        public var isMemory: Bool { self == .maxBatch || self == .peakMemory }
    }

    /// The trace set it belongs to (folder name under Traces/).
    public var set: String
    public var quantity: Quantity
    public var model: String
    public var gpu: String
    public var topK: Int
    public var batch: Int
    /// Fixed length, when not a dataset.
    public var seq: Int?
    /// Dataset id, when lengths come from a dataset.
    public var dataset: String?
    /// The measured value.
    public var value: Double
    /// The profiled kernel's name for kernel measurements (e.g. `matmul_w1`), the layer report key
    /// (`attention`, `moe`, `mamba`, `norm`) for layer measurements.
    public var kernel: String? = nil
    /// The method the row was measured with, when it names one (else the model's preset).
    public var method: TraceMethod? = nil
    /// Micro-batches per optimizer step (`batch` is the micro-batch).
    public var gradAccum: Int = 1
    /// The kernel of an `op_s` measurement (operation, shape, dtype).
    public var query: KernelQuery? = nil
    /// Why the row is compared but neither fitted nor cross-validated (a setup the simulator does not model),
    /// from the trace's `not_fitted` column; nil for a row in scope.
    public var notFitted: String? = nil

    /// A short label, e.g. `mixtral-8x7b top-2 b4 commonsense15k` or `qwen-7b lora b1×8 seq 1024`.
    public var label: String {
        if quantity == .op { return [model, kernel ?? query?.op.rawValue ?? ""].filter { !$0.isEmpty }.joined(separator: " ") }
        return model + (topK > 0 ? " top-\(topK)" : "") + (method.map { " \($0.rawValue)" } ?? "")
            + (quantity == .maxBatch ? "" : " b\(batch)" + (gradAccum > 1 ? "×\(gradAccum)" : ""))
            + (dataset.map { " \($0)" } ?? " seq \(seq ?? 0)") + (kernel.map { " \($0)" } ?? "")
    }
}
