/// Fine-tuning choices given on the command line, applied over a model's preset.
public struct MethodOverrides: Sendable, Equatable {
    public var method: FineTuneMethod.Kind?
    public var loraRank: Int?
    public var loraTargets: [String]?
    public var quant: FineTuneMethod.Quantization?
    public var checkpointing: Bool?
    public var optimizer: FineTuneMethod.Optimizer?
    /// Modules trained in full beside the adapters (`--modules-to-save embed_tokens,lm_head`; empty: none).
    public var modulesToSave: [String]?

    /// No overrides.
    public init(
        method: FineTuneMethod.Kind? = nil, loraRank: Int? = nil, loraTargets: [String]? = nil, quant: FineTuneMethod.Quantization? = nil,
        checkpointing: Bool? = nil, optimizer: FineTuneMethod.Optimizer? = nil, modulesToSave: [String]? = nil
    ) {
        self.method = method
        self.loraRank = loraRank
        self.loraTargets = loraTargets
        self.quant = quant
        self.checkpointing = checkpointing
        self.optimizer = optimizer
        self.modulesToSave = modulesToSave
    }

    /// The method: the preset when it is of the asked kind, else that kind's defaults; then each flag.
    ///
    /// Defaults per kind: `full` trains everything in bf16 with bf16 AdamW moments and no checkpointing;
    /// `lora` keeps bf16 base weights frozen, fp32 adapters of rank 16 on every linear layer, checkpointing on;
    /// `qlora` is `lora` over NF4 base weights with double quantization. `--quant gptq-int4` also sets the
    /// compute dtype to fp16 (auto-gptq's kernels); `--modules-to-save` names modules trained in full.
    public func apply(to preset: FineTuneMethod) throws(SimulatorError) -> FineTuneMethod {
        var m = preset
        if let kind = method, kind != preset.kind {
            switch kind {
            case .full: m = .full
            case .lora:
                m = FineTuneMethod(
                    kind: .lora, quant: .none, loraRank: 16, loraAlpha: 32,
                    loraTargets: preset.usesLoRA ? preset.loraTargets : FineTuneMethod.defaultLoRATargets,
                    trainableDType: .fp32, optimizerStateDType: .fp32, checkpointing: true)
            case .qlora:
                m = FineTuneMethod(
                    kind: .qlora, quant: .nf4, doubleQuant: true, loraRank: 16, loraAlpha: 32,
                    loraTargets: preset.usesLoRA ? preset.loraTargets : FineTuneMethod.defaultLoRATargets, trainableDType: .fp32,
                    optimizerStateDType: .fp32, checkpointing: true)
            }
        }
        // Adapter flags mean nothing to full fine-tuning: refuse them rather than ignore them.
        if m.kind == .full {
            if loraRank != nil { throw SimulatorError(source: "--lora-rank", "applies to lora and qlora, not to full fine-tuning") }
            if loraTargets != nil {
                throw SimulatorError(source: "--lora-targets", "applies to lora and qlora, not to full fine-tuning")
            }
            if modulesToSave != nil {
                throw SimulatorError(source: "--modules-to-save", "applies to lora and qlora, not to full fine-tuning")
            }
        }
        if let r = loraRank {
            guard r >= 1 else { throw SimulatorError(source: "--lora-rank", "must be at least 1, got \(r)") }
            m.loraAlpha = m.loraAlpha / Double(m.loraRank) * Double(r)
            m.loraRank = r
        }
        if let t = loraTargets {
            guard !t.isEmpty else { throw SimulatorError(source: "--lora-targets", "names no weights") }
            m.loraTargets = t
        }
        if let q = quant {
            if m.kind == .full && q != .none {
                throw SimulatorError(source: "--quant", "full fine-tuning cannot train quantized weights (\(q.rawValue))")
            }
            // GPTQ kernels compute in fp16; leaving GPTQ returns to bf16.
            if q.isGPTQ { m.computeDType = .fp16 } else if m.quant.isGPTQ { m.computeDType = .bf16 }
            m.quant = q
            m.doubleQuant = q == .nf4
        }
        if let names = modulesToSave {
            for n in names where !FineTuneMethod.savableModules.contains(n) {
                throw SimulatorError(
                    source: "--modules-to-save",
                    "unknown module '\(n)' (expected \(FineTuneMethod.savableModules.joined(separator: " or ")))")
            }
            m.modulesToSave = names
        }
        if let c = checkpointing { m.checkpointing = c }
        if let o = optimizer { m.optimizer = o }
        return m
    }
}
