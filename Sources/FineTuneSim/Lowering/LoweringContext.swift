/// Everything lowering needs about one step: the model (with the top-k in force), the method and the
/// workload, plus derived sizes.
public struct LoweringContext: Sendable {
    /// The model, with `moe.topK` set to the workload's choice.
    public let model: ModelSpec
    /// The fine-tuning method.
    public let method: FineTuneMethod
    /// The step's batch and length.
    public let workload: Workload
    /// Tokens in the step.
    public let tokens: Double
    /// Bytes per activation element (compute dtype).
    public let act: Double
    /// Multiplier on the memory of per-expert (routed-token) buffers.
    public let routedMemoryScale: Double
    /// Whether this is a later micro-batch under gradient accumulation (weight gradients already exist and
    /// are accumulated in place).
    public var accumulating = false

    /// Creates a context.
    public init(model: ModelSpec, method: FineTuneMethod, workload: Workload, routedMemoryScale: Double = 1) {
        self.model = model
        self.method = method
        self.workload = workload
        self.routedMemoryScale = routedMemoryScale
        tokens = Double(workload.batch * workload.seq)
        act = method.computeDType.bytes
    }

    /// Hidden size as a Double.
    public var hidden: Double { Double(model.hiddenSize) }

    /// A linear layer as the method runs it.
    ///
    /// - Parameters:
    ///   - name: the weight's canonical name (a LoRA target name).
    ///   - aliases: other names that target it (Hugging Face module names).
    ///   - quantizable: false for weights a quantizer skips (none among decoder linears).
    public func linear(
        _ name: String, aliases: [String] = [], inFeatures: Int, outFeatures: Int, kind: KernelKind = .gemm, bias: Bool = false
    ) -> LinearLayer {
        let lora = method.isLoRATarget(name, aliases: aliases)
        return LinearLayer(
            name: name, inFeatures: Double(inFeatures), outFeatures: Double(outFeatures), kind: kind, bias: bias,
            trained: method.trainsBase, quant: method.kind == .full ? .none : method.quant, doubleQuant: method.doubleQuant,
            loraRank: lora ? Double(method.loraRank) : 0, trainableBytes: method.trainableDType.bytes,
            weightBytes: method.baseWeightBytes, accumulate: accumulating)
    }

    /// Whether norms run as one fused kernel (mamba-ssm's Triton RMSNorm) instead of eager PyTorch ops.
    public var fusedNorm: Bool { model.sublayers.contains(.mamba) }
}
