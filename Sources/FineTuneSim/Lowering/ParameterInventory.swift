/// The model's parameters under a method: how many, how many train, and the bytes they and their
/// optimizer state occupy. Derived from the same layer objects lowering uses, so counts and kernels agree.
public struct ParameterInventory: Sendable, Equatable {
    /// All parameters of the model (base weights; adapters not included).
    public var total: Double = 0
    /// Parameters a token touches (top-k experts only).
    public var active: Double = 0
    /// Parameters that receive gradients (adapters and `modules_to_save` copies, or everything under full
    /// fine-tuning).
    public var trainable: Double = 0
    /// Adapter parameters.
    public var adapters: Double = 0
    /// Bytes of base weights as stored (NF4 or GPTQ with constants under QLoRA, fp32 master weights under
    /// mixed-precision full fine-tuning), plus the trainable copies of `modules_to_save`.
    public var baseWeightBytes: Double = 0
    /// Bytes of adapter weights.
    public var adapterBytes: Double = 0
    /// Bytes of gradients of trained parameters.
    public var gradientBytes: Double = 0
    /// Bytes of optimizer state.
    public var optimizerStateBytes: Double = 0
    /// Trained tensors (the optimizer's multi-tensor kernels iterate over them).
    public var trainableTensors: Double = 0
    /// Trained parameters outside linear layers (norms, embeddings, Mamba's A, D and conv).
    public var trainableNonLinear: Double = 0
    /// Parameters of the trainable copies of `modules_to_save` (embedding, LM head) beside the adapters.
    public var savedModules: Double = 0
    /// Bytes of the gradients the head's backward allocates for trained parameters outside linear layers
    /// (norms, embedding, Mamba's A/D/conv; not the LM head, whose linear backward allocates its own).
    public var nonLinearGradientBytes: Double = 0

    /// The decoder's linear layers by canonical name, once each, in model order (the names `--lora-targets`
    /// takes; Hugging Face module names are accepted as aliases).
    public var linearNames: [String] = []

    /// Counts the parameters of a model under a method.
    public init(_ c: LoweringContext) {
        let h = Double(c.model.hiddenSize), v = Double(c.model.vocabSize)
        let trainsBase = c.method.trainsBase
        let wb = c.method.baseWeightBytes
        var linears: [(LinearLayer, Double, Double)] = []  // layer, copies, active copies
        var other = 0.0  // non-linear params in bf16
        var otherTensors = 0.0
        let normParams = c.model.layerNorm ? 2 * h : h
        for kind in c.model.sublayers {
            other += normParams
            otherTensors += c.model.layerNorm ? 2 : 1
            switch kind {
            case .attention:
                for l in AttentionLowering.projections(c) { linears.append((l, 1, 1)) }
            case .mlp:
                for l in MLPLowering.linears(c) { linears.append((l, 1, 1)) }
            case .moe:
                let m = c.model.moe!
                linears.append((MoELowering.router(c), 1, 1))
                for l in MoELowering.expertLinears(c, intermediate: m.expertIntermediateSize) {
                    linears.append((l, Double(m.experts), Double(m.topK)))
                }
                if m.sharedExpertIntermediateSize > 0 {
                    for l in MoELowering.expertLinears(c, intermediate: m.sharedExpertIntermediateSize, prefix: "shared_") {
                        linears.append((l, 1, 1))
                    }
                    if m.sharedExpertGate {
                        linears.append(
                            (c.linear("shared_expert_gate", inFeatures: c.model.hiddenSize, outFeatures: 1, kind: .gating), 1, 1))
                    }
                }
            case .mamba:
                let m = c.model.mamba!
                let l = MambaLowering.linears(c)
                for x in [l.inProj, l.xProj, l.dtProj, l.outProj] { linears.append((x, 1, 1)) }
                let d = Double(m.innerSize)
                other += d * Double(m.convWidth) + (m.convBias ? d : 0) + d * Double(m.stateSize) + d
                otherTensors += m.convBias ? 4 : 3
            }
        }
        // Embedding, final norm, LM head (unless tied).
        other += v * h + normParams + (c.model.tieEmbeddings ? 0 : v * h)
        otherTensors += c.model.tieEmbeddings ? 2 : 3
        total = other
        active = other
        baseWeightBytes = other * wb
        for (l, _, _) in linears where !linearNames.contains(l.name) { linearNames.append(l.name) }
        for (l, copies, act) in linears {
            total += l.baseParameters * copies
            active += l.baseParameters * act
            baseWeightBytes += l.baseWeightBytes * copies
            adapters += l.loraParameters * copies
            if l.loraRank > 0 { trainableTensors += 2 * copies }
        }
        adapterBytes = adapters * c.method.trainableDType.bytes
        if trainsBase {
            trainable = total
            trainableNonLinear = other
            trainableTensors = Double(linears.reduce(0) { $0 + $1.1 * ($1.0.bias ? 2 : 1) }) + otherTensors
            gradientBytes = total * c.method.trainableDType.bytes
            nonLinearGradientBytes = (other - v * h) * c.method.trainableDType.bytes
        } else {
            // peft's modules_to_save: a trainable copy beside each frozen original, in the base dtype, with
            // gradients in that dtype (a tied embedding is one module).
            let embed = c.method.modulesToSave.contains("embed_tokens"), head = c.method.modulesToSave.contains("lm_head")
            let copies = c.model.tieEmbeddings ? (embed || head ? 1.0 : 0) : (embed ? 1 : 0) + (head ? 1 : 0)
            savedModules = copies * v * h
            baseWeightBytes += savedModules * wb
            trainableTensors += copies
            trainable = adapters + savedModules
            gradientBytes = adapterBytes + savedModules * wb
            // The untied embedding's gradient (the LM head's, and a tied one's, come from the head's linear).
            nonLinearGradientBytes = embed && !c.model.tieEmbeddings ? v * h * wb : 0
        }
        let stateBytes = c.method.optimizerStateDType.bytes
        switch c.method.optimizer {
        case .adamw: optimizerStateBytes = 2 * trainable * stateBytes
        case .adamw8bit: optimizerStateBytes = 2 * trainable * (1 + 4.0 / 2048)
        case .sgd: optimizerStateBytes = 0
        }
    }
}
