/// A fine-tuning method as a trace names it (the Qwen table's `method` column), mapped to a
/// ``FineTuneMethod`` over a model's preset.
public enum TraceMethod: String, Sendable, CaseIterable, Equatable {
    /// LoRA on every linear layer but the LM head (the preset's rank, alpha and targets), frozen base in the
    /// compute dtype.
    case lora
    /// `lora` plus the input embedding and the LM head trained in full (peft's `modules_to_save`).
    case loraEmb = "lora_emb"
    /// `lora` over GPTQ 4-bit base weights with fp16 compute (auto-gptq kernels), not bitsandbytes NF4.
    case qloraGPTQInt4 = "qlora_gptq_int4"
    /// Full fine-tuning as Hugging Face's Trainer runs it with `bf16=True` over an fp32-loaded model: mixed
    /// precision, i.e. fp32 master weights, fp32 gradients and fp32 AdamW moments (16 bytes per parameter),
    /// bf16 autocast compute; the preset's checkpointing.
    case full

    /// The accepted names, for error messages.
    public static var expected: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The method over a model's preset: the preset's adapter settings (rank, alpha, targets, adapter dtype,
    /// checkpointing, optimizer), with the kind, storage and trained modules this method names.
    public func method(over preset: FineTuneMethod) -> FineTuneMethod {
        var m = preset
        if !m.usesLoRA {
            // A preset without adapters: LoRA's defaults.
            m = FineTuneMethod(
                kind: .lora, loraRank: 16, loraAlpha: 32, loraTargets: FineTuneMethod.defaultLoRATargets, trainableDType: .fp32,
                optimizerStateDType: .fp32, checkpointing: true, optimizer: preset.optimizer)
        }
        m.modulesToSave = []
        m.doubleQuant = false
        switch self {
        case .lora, .loraEmb:
            m.kind = .lora
            m.quant = .none
            m.computeDType = .bf16
            if self == .loraEmb { m.modulesToSave = FineTuneMethod.savableModules }
        case .qloraGPTQInt4:
            m.kind = .qlora
            m.quant = .gptqInt4
            m.computeDType = .fp16
        case .full:
            m = FineTuneMethod(
                kind: .full, computeDType: .bf16, trainableDType: .fp32, optimizerStateDType: .fp32,
                checkpointing: preset.checkpointing, flashAttention: preset.flashAttention, optimizer: preset.optimizer)
        }
        return m
    }
}
