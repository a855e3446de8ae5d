/// A model's derived architecture under a method: layers by type, parameters, weight bytes — so users can
/// check a mapping before trusting a number.
public struct ModelDescription: Sendable {
    public let model: ModelSpec
    public let method: FineTuneMethod
    public let inventory: ParameterInventory

    /// Describes a model under a method.
    public init(model: ModelSpec, method: FineTuneMethod) {
        self.model = model
        self.method = method
        inventory = ParameterInventory(LoweringContext(model: model, method: method, workload: Workload(batch: 1, seq: 1)))
    }

    /// "32 attention + 32 moe".
    public var layerSummary: String {
        SublayerKind.allCases.compactMap { k in model.count(k) > 0 ? "\(model.count(k)) \(k.rawValue)" : nil }.joined(separator: " + ")
    }

    /// JSON with `parameters_total`, `parameters_trainable`, `weights_gb` and the architecture.
    public func json() -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("id", .string(model.id)), ("name", .string(model.name)), ("method", .string(method.kind.rawValue)),
            ("hidden_size", .int(model.hiddenSize)), ("vocab_size", .int(model.vocabSize)), ("tie_embeddings", .bool(model.tieEmbeddings)),
            ("layers", .object(SublayerKind.allCases.compactMap { k in model.count(k) > 0 ? (k.rawValue, .int(model.count(k))) : nil })),
            ("parameters_total", .number(inventory.total)), ("parameters_active", .number(inventory.active)),
            ("parameters_trainable", .number(inventory.trainable)),
            ("weights_gb", .number((inventory.baseWeightBytes + inventory.adapterBytes) / 1e9)),
            ("optimizer_state_gb", .number(inventory.optimizerStateBytes / 1e9)),
        ]
        if let a = model.attention {
            o.append(
                (
                    "attention",
                    .object([
                        ("heads", .int(a.heads)), ("kv_heads", .int(a.kvHeads)), ("head_dim", .int(a.headDim)),
                        ("qkv_bias", .bool(a.qkvBias)), ("fused_qkv", .bool(a.fusedQKV)),
                    ])
                ))
        }
        if let m = model.mlp {
            o.append(
                (
                    "mlp",
                    .object([
                        ("intermediate_size", .int(m.intermediateSize)), ("activation", .string(m.activation.rawValue)),
                        ("fused_gate_up", .bool(m.fusedGateUp)),
                    ])
                ))
        }
        if let m = model.moe {
            o.append(
                (
                    "moe",
                    .object([
                        ("experts", .int(m.experts)), ("top_k", .int(m.topK)), ("intermediate_size", .int(m.expertIntermediateSize)),
                        ("activation", .string(m.activation.rawValue)), ("router", .string(m.router.rawValue)),
                        ("shared_expert_intermediate_size", .int(m.sharedExpertIntermediateSize)),
                    ])
                ))
        }
        if let m = model.mamba {
            o.append(
                (
                    "mamba",
                    .object([
                        ("inner_size", .int(m.innerSize)), ("state_size", .int(m.stateSize)), ("conv_width", .int(m.convWidth)),
                        ("dt_rank", .int(m.dtRank)),
                    ])
                ))
        }
        return .object(o)
    }

    /// A readable summary.
    public func table() -> String {
        var t = TextTable(headers: ["", "value"])
        t.add(["model", "\(model.name) (\(model.id))"])
        t.add(["layers", layerSummary])
        t.add(["hidden / vocab", "\(model.hiddenSize) / \(model.vocabSize)"])
        if let a = model.attention {
            t.add([
                "attention",
                "\(a.heads) heads, \(a.kvHeads) kv heads, head dim \(a.headDim)" + (a.fusedQKV ? ", fused qkv" : "")
                    + (a.qkvBias ? ", qkv bias" : ""),
            ])
        }
        if let m = model.mlp { t.add(["mlp", "\(m.intermediateSize) (\(m.activation.rawValue))"]) }
        if let m = model.moe {
            t.add([
                "moe",
                "\(m.experts) experts × \(m.expertIntermediateSize), top-\(m.topK), \(m.router.rawValue) router"
                    + (m.sharedExpertIntermediateSize > 0 ? ", shared expert \(m.sharedExpertIntermediateSize)" : ""),
            ])
        }
        if let m = model.mamba { t.add(["mamba", "inner \(m.innerSize), state \(m.stateSize), conv \(m.convWidth), dt rank \(m.dtRank)"]) }
        t.add([
            "method",
            method.kind.rawValue + (method.quant != .none ? " (\(method.quant.rawValue))" : "")
                + (method.usesLoRA ? ", LoRA r=\(method.loraRank) on \(method.loraTargets.joined(separator: ","))" : "")
                + (method.usesLoRA && !method.modulesToSave.isEmpty ? ", trains \(method.modulesToSave.joined(separator: ","))" : ""),
        ])
        t.add([
            "parameters",
            NumberText.fixed(inventory.total / 1e9, 3) + " B total, " + NumberText.fixed(inventory.active / 1e9, 3) + " B active",
        ])
        t.add(["trainable", NumberText.fixed(inventory.trainable / 1e6, 2) + " M"])
        t.add(["weights", NumberText.fixed((inventory.baseWeightBytes + inventory.adapterBytes) / 1e9, 2) + " GB"])
        t.add(["optimizer state", NumberText.fixed(inventory.optimizerStateBytes / 1e9, 2) + " GB"])
        return t.rendered()
    }
}
