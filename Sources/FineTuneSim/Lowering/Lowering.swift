/// Lowers (model, method, workload) to the kernels of one training step: forward, recompute (under
/// gradient checkpointing), backward and optimizer, grouped into reusable segments.
public enum Lowering {
    /// Lowers one step (an optimizer step: `workload.gradAccum` forward/backward passes, then one optimizer
    /// update). The model's `moe.topK` must already hold the workload's top-k.
    ///
    /// `memory` shapes the allocation walk (calibration parameters `routed_activation_overhead` and
    /// `routed_retained_fraction`); it changes no kernel.
    public static func lower(model: ModelSpec, method: FineTuneMethod, workload: Workload, memory: LoweringMemory = LoweringMemory())
        -> Program
    {
        let c = LoweringContext(model: model, method: method, workload: workload, routedMemoryScale: memory.routedScale)
        let inv = ParameterInventory(c)
        var segments: [Segment] = []
        var order: [Int] = []
        var cache: [String: Int] = [:]
        let hiddenBytes = c.tokens * c.hidden * c.act

        func use(_ key: String, _ make: () -> Segment) {
            if let i = cache[key] { order.append(i); return }
            segments.append(make())
            cache[key] = segments.count - 1
            order.append(segments.count - 1)
        }
        func forward(_ b: inout SegmentBuilder, _ kind: SublayerKind) -> Double {
            switch kind {
            case .attention: return AttentionLowering.forward(&b, c)
            case .mlp: return MLPLowering.forward(&b, c)
            case .moe: return MoELowering.forward(&b, c)
            case .mamba: return MambaLowering.forward(&b, c)
            }
        }
        func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, _ kind: SublayerKind, saved: Double) {
            switch kind {
            case .attention: AttentionLowering.backward(&b, c, saved: saved)
            case .mlp: MLPLowering.backward(&b, c, saved: saved)
            case .moe: MoELowering.backward(&b, c, saved: saved)
            case .mamba: MambaLowering.backward(&b, c, saved: saved)
            }
        }
        func layerType(_ k: SublayerKind) -> LayerType {
            switch k {
            case .attention: return .attention
            case .mlp: return .mlp
            case .moe: return .moe
            case .mamba: return .mamba
            }
        }
        // Bytes each sub-layer kind saves for backward (same for every layer of the kind), recorded when its
        // forward segment is built (every forward precedes every backward).
        var savedBytes: [SublayerKind: Double] = [:]
        let ckpt = method.checkpointing
        // What recompute leaves allocated in one pass: released when the next pass starts (the allocator
        // reuses the blocks) or, after the last, once backward is over.
        var retained = 0.0
        var headSaved = 0.0

        // One forward and backward pass over a micro-batch. Later passes under gradient accumulation add
        // their weight gradients into the first pass's (their backward segments differ: suffix `.accum`).
        func pass(_ index: Int) {
            let pc: LoweringContext = {
                var x = c
                x.accumulating = index > 0
                return x
            }()
            let accum = index > 0 ? ".accum" : ""
            use(index > 0 ? "embedding.forward.next" : "embedding.forward") {
                var b = SegmentBuilder(label: "embedding.forward", layer: .embedding, phase: .forward, computeBytes: c.act)
                b.free(retained)
                HeadLowering.embeddingForward(&b, c)
                return b.segment
            }
            for unit in checkpointUnits(model.sublayers) {
                for (j, k) in unit.enumerated() {
                    let last = j == unit.count - 1
                    use(k.rawValue + ".forward" + (last || !ckpt ? "" : ".inner")) {
                        var b = SegmentBuilder(label: "\(k.rawValue).forward", layer: layerType(k), phase: .forward, computeBytes: c.act)
                        let saved = forward(&b, k)
                        savedBytes[k] = saved
                        // Under checkpointing a decoder layer (a checkpoint unit) keeps only its output, the next
                        // unit's input; what its sub-layers computed inside it is recomputed in backward.
                        if ckpt { b.free(saved - (last ? hiddenBytes : 0)) }
                        return b.segment
                    }
                }
            }
            use("head.forward") {
                var b = SegmentBuilder(label: "head.forward", layer: .head, phase: .forward, computeBytes: c.act)
                headSaved = HeadLowering.forward(&b, c)
                return b.segment
            }
            use("head.backward" + accum) {
                var b = SegmentBuilder(label: "head.backward", layer: .head, phase: .backward, computeBytes: c.act)
                HeadLowering.backward(&b, pc, saved: headSaved, inventory: inv)
                return b.segment
            }
            // Backward walks checkpoint units (a mixer and its feed-forward) in reverse; each unit is
            // recomputed first under checkpointing.
            let units = checkpointUnits(model.sublayers)
            for unit in units.reversed() {
                if ckpt {
                    for k in unit {
                        use(k.rawValue + ".recompute") {
                            var b = SegmentBuilder(
                                label: "\(k.rawValue).recompute", layer: layerType(k), phase: .recompute, computeBytes: c.act)
                            _ = forward(&b, k)
                            return b.segment
                        }
                    }
                }
                for (j, k) in unit.enumerated().reversed() {
                    let last = j == unit.count - 1
                    use(k.rawValue + ".backward" + (last || !ckpt ? "" : ".inner") + accum) {
                        var b = SegmentBuilder(
                            label: "\(k.rawValue).backward", layer: layerType(k), phase: .backward, computeBytes: c.act)
                        backward(&b, pc, k, saved: savedBytes[k]! * (ckpt && k == .moe ? 1 - memory.routedRetained : 1))
                        // The unit's checkpoint (its output, kept since forward) goes with its last sub-layer's backward.
                        if ckpt && last { b.free(hiddenBytes) }
                        return b.segment
                    }
                }
            }
            use("embedding.backward" + accum) {
                var b = SegmentBuilder(label: "embedding.backward", layer: .embedding, phase: .backward, computeBytes: c.act)
                HeadLowering.embeddingBackward(&b, pc, inventory: inv)
                return b.segment
            }
            // What the expert loop's recompute left allocated is released once backward is over.
            retained = ckpt ? memory.routedRetained * model.sublayers.reduce(0) { $0 + ($1 == .moe ? savedBytes[$1]! : 0) } : 0
        }
        for i in 0..<max(1, workload.gradAccum) { pass(i) }
        use("optimizer") {
            var b = SegmentBuilder(label: "optimizer", layer: .optimizer, phase: .optimizer, computeBytes: c.act)
            b.free(retained)
            OptimizerLowering.lower(&b, c, inventory: inv)
            return b.segment
        }
        let breakdown: [(name: String, bytes: Double)] = [
            ("weights", inv.baseWeightBytes), ("adapters", inv.adapterBytes), ("optimizer_state", inv.optimizerStateBytes),
        ]
        return Program(
            segments: segments, order: order, residentBytes: breakdown.reduce(0) { $0 + $1.bytes }, residentBreakdown: breakdown)
    }

    /// Groups sub-layers into checkpoint units: a mixer (attention or Mamba) with the feed-forward after it.
    static func checkpointUnits(_ layers: [SublayerKind]) -> [[SublayerKind]] {
        var units: [[SublayerKind]] = []
        for k in layers {
            if (k == .mlp || k == .moe), let last = units.last, last.count == 1, last[0] == .attention || last[0] == .mamba {
                units[units.count - 1].append(k)
            } else {
                units.append([k])
            }
        }
        return units
    }
}
