/// How the model is fine-tuned: which weights train, in what precision, and with what optimizer.
public struct FineTuneMethod: Sendable, Equatable {
    /// The family of method.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// All weights train.
        case full
        /// Frozen base weights in the compute dtype plus low-rank adapters.
        case lora
        /// Frozen quantized base weights plus low-rank adapters.
        case qlora
    }

    /// Storage format of frozen base weights.
    public enum Quantization: String, Sendable, CaseIterable, Codable {
        /// The compute dtype.
        case none
        /// bitsandbytes NF4 (4-bit, 64-element blocks with an absmax each; QLoRA).
        case nf4
        /// bitsandbytes LLM.int8 (8-bit rows with an fp32 scale each).
        case int8
        /// GPTQ 4-bit (auto-gptq): packed int4 weights, groups of 128 input features with an fp16 scale and a
        /// packed int4 zero per output feature, expanded to fp16 before an fp16 matmul.
        case gptqInt4 = "gptq-int4"

        /// Whether the format is GPTQ's (fp16 compute, no double quantization).
        public var isGPTQ: Bool { self == .gptqInt4 }
    }

    /// Modules `modules_to_save` can name: trained in full beside the adapters.
    public static let savableModules = ["embed_tokens", "lm_head"]

    /// The optimizer.
    public enum Optimizer: String, Sendable, CaseIterable, Codable {
        /// PyTorch AdamW (multi-tensor), two moments per trained parameter.
        case adamw
        /// bitsandbytes 8-bit AdamW, two 8-bit moments with block-wise scales.
        case adamw8bit
        /// Plain SGD without momentum.
        case sgd
    }

    /// Method family.
    public var kind: Kind
    /// Base-weight storage.
    public var quant: Quantization
    /// Whether NF4 quantization constants are themselves quantized (QLoRA's double quantization).
    public var doubleQuant: Bool
    /// LoRA rank.
    public var loraRank: Int
    /// LoRA alpha (scaling = alpha / rank).
    public var loraAlpha: Double
    /// Names of the weights that get adapters (`q_proj`, `w1`, `router`, `in_proj`, … or `all-linear`).
    public var loraTargets: [String]
    /// Compute dtype of activations and matmuls.
    public var computeDType: DType
    /// Dtype of trained parameters (LoRA adapters are often kept in fp32).
    public var trainableDType: DType
    /// Dtype of optimizer moments.
    public var optimizerStateDType: DType
    /// Whether each decoder layer is recomputed in the backward pass.
    public var checkpointing: Bool
    /// Whether attention uses FlashAttention (no s×s matrix is materialized).
    public var flashAttention: Bool
    /// Optimizer.
    public var optimizer: Optimizer
    /// Modules trained in full beside the adapters (peft's `modules_to_save`: `embed_tokens`, `lm_head`).
    ///
    /// peft wraps each in a trainable copy and keeps the frozen original, so a saved module's weights are held
    /// twice (in the base weights' dtype); the copy's gradients are in that dtype too, its optimizer moments in
    /// ``optimizerStateDType``. Ignored under full fine-tuning (everything trains).
    public var modulesToSave: [String]

    /// Creates a method.
    public init(
        kind: Kind, quant: Quantization = .none, doubleQuant: Bool = false, loraRank: Int = 16, loraAlpha: Double = 32,
        loraTargets: [String] = [], computeDType: DType = .bf16, trainableDType: DType = .bf16,
        optimizerStateDType: DType = .bf16, checkpointing: Bool = false, flashAttention: Bool = true,
        optimizer: Optimizer = .adamw, modulesToSave: [String] = []
    ) {
        self.kind = kind
        self.quant = quant
        self.doubleQuant = doubleQuant
        self.loraRank = loraRank
        self.loraAlpha = loraAlpha
        self.loraTargets = loraTargets
        self.computeDType = computeDType
        self.trainableDType = trainableDType
        self.optimizerStateDType = optimizerStateDType
        self.checkpointing = checkpointing
        self.flashAttention = flashAttention
        self.optimizer = optimizer
        self.modulesToSave = modulesToSave
    }

    /// Full fine-tuning in bf16 with AdamW moments in bf16 (a pure-bf16 trainer).
    public static let full = FineTuneMethod(kind: .full)

    /// The default adapters when a method asks for LoRA and names no targets: every linear layer.
    public static let defaultLoRATargets = ["all-linear"]

    /// Whether the base weights train (full fine-tuning).
    public var trainsBase: Bool { kind == .full }
    /// Bytes per element of the base weights as stored before any quantization: the trainable dtype under
    /// full fine-tuning (an fp32 master copy under mixed precision), else the compute dtype.
    public var baseWeightBytes: Double { trainsBase ? trainableDType.bytes : computeDType.bytes }
    /// Whether a module outside the decoder layers (`embed_tokens`, `lm_head`) trains in full.
    public func savesModule(_ name: String) -> Bool { trainsBase || modulesToSave.contains(name) }
    /// Whether adapters are added.
    public var usesLoRA: Bool { kind != .full }

    /// Whether a weight called `name` (with its aliases) gets a LoRA adapter.
    public func isLoRATarget(_ name: String, aliases: [String] = []) -> Bool {
        guard usesLoRA else { return false }
        for t in loraTargets {
            if t == "all-linear" || t == name || aliases.contains(t) { return true }
        }
        return false
    }

    /// Reads a method from a YAML mapping (a model's `finetune` preset).
    public init(node: ConfigNode) throws(SimulatorError) {
        kind = try node.choice("method", as: Kind.self)
        let defaultQuant: Quantization = kind == .qlora ? .nf4 : .none
        quant = try node.has("quant") ? node.choice("quant", as: Quantization.self) : defaultQuant
        doubleQuant = try node.bool("double_quant", default: quant == .nf4)
        loraRank = try node.int("lora_rank", default: 16, minimum: 1)
        loraAlpha = try node.double("lora_alpha", default: Double(2 * loraRank), positive: true)
        loraTargets = try node.has("lora_targets") ? node.strings("lora_targets") : Self.defaultLoRATargets
        // GPTQ kernels compute in fp16.
        computeDType = try node.has("compute_dtype") ? node.choice("compute_dtype", as: DType.self) : (quant.isGPTQ ? .fp16 : .bf16)
        let defaultTrainable: DType = kind == .full ? computeDType : .fp32
        trainableDType = try node.has("trainable_dtype") ? node.choice("trainable_dtype", as: DType.self) : defaultTrainable
        optimizerStateDType = try node.has("optimizer_state_dtype") ? node.choice("optimizer_state_dtype", as: DType.self) : trainableDType
        checkpointing = try node.bool("checkpointing", default: kind != .full)
        flashAttention = try node.bool("flash_attention", default: true)
        optimizer = try node.has("optimizer") ? node.choice("optimizer", as: Optimizer.self) : .adamw
        modulesToSave = try node.has("modules_to_save") ? node.strings("modules_to_save") : []
        for (i, name) in modulesToSave.enumerated() where !Self.savableModules.contains(name) {
            throw SimulatorError(
                source: node.source, key: node.keyPath("modules_to_save[\(i)]"),
                "unknown module '\(name)' (expected \(Self.savableModules.joined(separator: " or ")))")
        }
        if kind == .full && quant != .none {
            throw SimulatorError(
                source: node.source, key: node.keyPath("quant"),
                "full fine-tuning cannot train quantized weights (quant: \(quant.rawValue))")
        }
    }
}
