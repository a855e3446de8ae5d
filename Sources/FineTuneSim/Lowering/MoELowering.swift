/// Sparse MoE sub-layer as the Hugging Face (and BlackMamba) eager expert loop runs it: router, score,
/// top-k, then for each expert a `nonzero` that reads its token count on the host (a synchronization),
/// a gather, the expert FFN, the routing-weight multiply and an `index_add_` scatter.
enum MoELowering {
    static func router(_ c: LoweringContext) -> LinearLayer {
        let m = c.model.moe!
        return c.linear("router", aliases: ["gate"], inFeatures: c.model.hiddenSize, outFeatures: m.experts, kind: .gating)
    }

    static func expertLinears(_ c: LoweringContext, intermediate: Int, prefix: String = "") -> [LinearLayer] {
        let m = c.model.moe!
        let h = c.model.hiddenSize
        let kind: KernelKind = prefix.isEmpty ? .expertFFN : .gemm
        let fused = m.activation == .geglu ? 2 : 1
        var l = [
            c.linear(
                "\(prefix)w1", aliases: ["gate_proj", "\(prefix)gate_proj", "fc1"], inFeatures: h, outFeatures: fused * intermediate,
                kind: kind)
        ]
        if m.activation == .swiglu {
            l.append(
                c.linear("\(prefix)w3", aliases: ["up_proj", "\(prefix)up_proj"], inFeatures: h, outFeatures: intermediate, kind: kind))
        }
        l.append(
            c.linear(
                "\(prefix)w2", aliases: ["down_proj", "\(prefix)down_proj", "fc2"], inFeatures: intermediate, outFeatures: h, kind: kind))
        return l
    }

    /// Tokens each expert receives this step.
    static func tokensPerExpert(_ c: LoweringContext) -> [Double] {
        let m = c.model.moe!
        return c.workload.routing.tokensPerExpert(tokens: c.tokens, experts: m.experts, topK: m.topK)
    }

    /// The FFN of one expert (or the shared expert) over `t` tokens; returns (output, saved) bytes.
    static func ffnForward(_ b: inout SegmentBuilder, _ c: LoweringContext, _ ls: [LinearLayer], tokens t: Double) -> Double {
        let m = c.model.moe!
        let inter = ls.last!.inFeatures
        var saved = 0.0
        let r1 = ls[0].forward(&b, tokens: t)
        saved += r1.output + r1.saved
        if m.activation == .swiglu {
            b.alloc(t * inter * c.act)
            b.pointwise("silu", elements: t * inter, flopsPerElement: 4)
            let r3 = ls[1].forward(&b, tokens: t)
            b.alloc(t * inter * c.act)
            b.pointwise("act_mul", elements: t * inter, reads: 2)
            saved += 2 * t * inter * c.act + r3.output + r3.saved
        } else if m.activation == .geglu {
            b.alloc(2 * t * inter * c.act)
            b.pointwise("gelu", elements: t * inter, flopsPerElement: 8)
            b.pointwise("act_mul", elements: t * inter, reads: 2)
            saved += 2 * t * inter * c.act
        } else {
            b.alloc(t * inter * c.act)
            b.pointwise("gelu", elements: t * inter, flopsPerElement: 8)
            saved += t * inter * c.act
        }
        let r2 = ls.last!.forward(&b, tokens: t)
        saved += r2.saved
        b.free(r2.output)
        return saved
    }

    static func ffnBackward(_ b: inout SegmentBuilder, _ c: LoweringContext, _ ls: [LinearLayer], tokens t: Double) {
        let m = c.model.moe!
        let inter = ls.last!.inFeatures
        // Gradients of the activation's input and, when gated, of the up projection's output (as in the dense
        // block).
        let gradBytes = (m.activation.isGated ? 2 : 1) * t * inter * c.act
        b.alloc(gradBytes)
        ls.last!.backward(&b, tokens: t)
        if m.activation == .swiglu {
            b.pointwise("act_mul_bwd_a", elements: t * inter, reads: 2)
            b.pointwise("act_mul_bwd_b", elements: t * inter, reads: 2)
            b.pointwise("silu_bwd", elements: t * inter, reads: 2, flopsPerElement: 6)
            ls[1].backward(&b, tokens: t)
            ls[0].backward(&b, tokens: t)
            b.pointwise("dx_add", elements: t * c.hidden, reads: 2)
        } else if m.activation == .geglu {
            b.pointwise("act_mul_bwd_a", elements: t * inter, reads: 2)
            b.pointwise("act_mul_bwd_b", elements: t * inter, reads: 2)
            b.pointwise("gelu_bwd", elements: t * inter, reads: 2, flopsPerElement: 10)
            ls[0].backward(&b, tokens: t)
        } else {
            b.pointwise("gelu_bwd", elements: t * inter, reads: 2, flopsPerElement: 10)
            ls[0].backward(&b, tokens: t)
        }
        b.free(gradBytes)
    }

    /// Forward; returns bytes saved for backward.
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext) -> Double {
        let m = c.model.moe!
        var saved = NormLowering.forward(&b, c, name: "post_attention_norm")
        b.layer = .moe
        let t = c.tokens, e = Double(m.experts), k = Double(m.topK)
        let rr = router(c).forward(&b, tokens: t)
        saved += rr.output + rr.saved
        b.alloc(t * e * 4 * 2)
        b.pointwise(
            m.router == .softmax ? "softmax" : "sigmoid", .gating, elements: t * e, reads: 1, writes: 1, bytesPerElement: 4,
            flopsPerElement: 5)
        b.pointwise("topk", .gating, elements: t * e, reads: 1, writes: 2 * k / e, bytesPerElement: 4, flopsPerElement: 4)
        if m.normalizeTopK {
            b.pointwise("topk_sum", .gating, elements: t * k, reads: 1, writes: 1 / k, bytesPerElement: 4)
            b.pointwise("topk_div", .gating, elements: t * k, reads: 1, writes: 1, bytesPerElement: 4)
        }
        b.pointwise("weights_cast", .gating, elements: t * k, reads: 2, writes: 1)
        b.pointwise("one_hot", .gating, elements: t * k * e, reads: 0, writes: 1, bytesPerElement: 8)
        b.pointwise("expert_mask_permute", .gating, elements: t * k * e, bytesPerElement: 8)
        saved += t * e * 4 * 2
        b.alloc(t * c.hidden * c.act)
        b.pointwise("zeros_out", elements: t * c.hidden, reads: 0)
        let ls = expertLinears(c, intermediate: m.expertIntermediateSize)
        var routedSaved = 0.0
        b.memoryScale = c.routedMemoryScale
        for (i, te) in tokensPerExpert(c).enumerated() where te > 1e-9 {
            b.pointwise("expert\(i).nonzero", .gating, elements: t * k, reads: 1, writes: 0.5, bytesPerElement: 8, sync: true)
            // `torch.where` on the expert mask: the routed token and slot indices (int64 each).
            b.alloc(te * 16)
            b.alloc(te * c.hidden * c.act)
            if m.indexWithLists {
                // `top_x.tolist()`, `idx.tolist()`, then `hidden_states[None, top_x_list]`: the list is turned back
                // into a tensor and copied to the GPU (a pageable copy, followed by a stream synchronization).
                b.hostCall(.listElements(3 * te))
                b.pointwise("expert\(i).index_h2d", .gating, elements: te, reads: 0, writes: 1, bytesPerElement: 8, sync: true)
            }
            b.pointwise("expert\(i).gather", .gating, elements: te * c.hidden, reads: 1, writes: 1)
            routedSaved += te * c.hidden * c.act + te * 16
            routedSaved += ffnForward(&b, c, ls, tokens: te)
            b.alloc(te * c.hidden * c.act)
            if m.indexWithLists {
                // `routing_weights[top_x_list, idx_list, None]`, evaluated after the expert's FFN is launched: its
                // copies synchronize, so the host waits for the FFN here.
                b.hostCall(.listElements(2 * te))
                b.pointwise(
                    "expert\(i).weight_index_h2d", .gating, elements: 2 * te, reads: 0, writes: 1, bytesPerElement: 8, sync: true)
            }
            b.pointwise("expert\(i).weight_gather", .gating, elements: te, reads: 1, writes: 1)
            b.pointwise("expert\(i).weight_mul", .gating, elements: te * c.hidden, reads: 1, writes: 1)
            b.pointwise("expert\(i).index_add", .gating, elements: te * c.hidden, reads: 2, writes: 1)
            b.free(te * c.hidden * c.act)
        }
        b.memoryScale = 1
        saved += routedSaved * c.routedMemoryScale
        if m.sharedExpertIntermediateSize > 0 {
            let sl = expertLinears(c, intermediate: m.sharedExpertIntermediateSize, prefix: "shared_")
            saved += ffnForward(&b, c, sl, tokens: t)
            if m.sharedExpertGate {
                let g = c.linear("shared_expert_gate", inFeatures: c.model.hiddenSize, outFeatures: 1, kind: .gating)
                saved += g.forward(&b, tokens: t).output
                b.pointwise("shared_gate_sigmoid", .gating, elements: t, flopsPerElement: 4)
                b.pointwise("shared_gate_mul", .gating, elements: t * c.hidden, reads: 2)
            }
            b.pointwise("shared_add", elements: t * c.hidden, reads: 2)
        }
        return saved + ResidualLowering.close(&b, c, blockOutput: t * c.hidden * c.act)
    }

    /// Backward; frees `saved`.
    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, saved: Double) {
        let m = c.model.moe!
        b.layer = .moe
        let t = c.tokens, e = Double(m.experts), k = Double(m.topK)
        b.alloc(t * c.hidden * c.act)
        b.pointwise("grad_zeros", elements: t * c.hidden, reads: 0)
        if m.sharedExpertIntermediateSize > 0 {
            if m.sharedExpertGate {
                b.pointwise("shared_gate_mul_bwd", .gating, elements: t * c.hidden, reads: 2)
                c.linear("shared_expert_gate", inFeatures: c.model.hiddenSize, outFeatures: 1, kind: .gating).backward(&b, tokens: t)
            }
            ffnBackward(&b, c, expertLinears(c, intermediate: m.sharedExpertIntermediateSize, prefix: "shared_"), tokens: t)
        }
        let ls = expertLinears(c, intermediate: m.expertIntermediateSize)
        b.memoryScale = c.routedMemoryScale
        for (i, te) in tokensPerExpert(c).enumerated().reversed() where te > 1e-9 {
            b.alloc(te * c.hidden * c.act)
            b.pointwise("expert\(i).index_add_bwd", .gating, elements: te * c.hidden, reads: 1, writes: 1)
            b.pointwise("expert\(i).weight_mul_bwd", .gating, elements: te * c.hidden, reads: 2, writes: 1)
            b.pointwise("expert\(i).weight_grad", .gating, elements: te * c.hidden, reads: 2, writes: 0)
            b.pointwise("expert\(i).weight_gather_bwd", .gating, elements: te, reads: 1, writes: 1)
            ffnBackward(&b, c, ls, tokens: te)
            b.pointwise("expert\(i).gather_bwd", .gating, elements: te * c.hidden, reads: 2, writes: 1)
            b.free(te * c.hidden * c.act)
        }
        b.memoryScale = 1
        b.pointwise("weights_cast_bwd", .gating, elements: t * k, reads: 1, writes: 1, bytesPerElement: 4)
        if m.normalizeTopK {
            b.pointwise("topk_div_bwd", .gating, elements: t * k, reads: 3, writes: 1, bytesPerElement: 4)
            b.pointwise("topk_sum_bwd", .gating, elements: t * k, reads: 1, writes: 1, bytesPerElement: 4)
        }
        b.pointwise("topk_bwd_zeros", .gating, elements: t * e, reads: 0, bytesPerElement: 4)
        b.pointwise("topk_bwd_scatter", .gating, elements: t * k, reads: 2, writes: 1, bytesPerElement: 4)
        b.pointwise(m.router == .softmax ? "softmax_bwd" : "sigmoid_bwd", .gating, elements: t * e, reads: 2, writes: 1, bytesPerElement: 4)
        router(c).backward(&b, tokens: t)
        b.pointwise("dx_add", elements: t * c.hidden, reads: 2)
        b.free(t * c.hidden * c.act)
        NormLowering.backward(&b, c, name: "post_attention_norm", saved: 0)
        b.layer = .moe
        b.pointwise("residual_grad_add", elements: t * c.hidden, reads: 2)
        b.free(saved)
    }
}
