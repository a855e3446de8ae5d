/// Self-attention sub-layer: pre-norm, q/k/v projections, rotary embedding, attention, output projection,
/// residual add — as Hugging Face's FlashAttention-2 (or eager) attention runs it.
enum AttentionLowering {
    static func projections(_ c: LoweringContext) -> [LinearLayer] {
        let a = c.model.attention!
        let h = c.model.hiddenSize
        let q = a.heads * a.headDim
        let kv = a.kvHeads * a.headDim
        var out: [LinearLayer] = []
        if a.fusedQKV {
            out.append(
                c.linear(
                    "qkv_proj", aliases: ["q_proj", "k_proj", "v_proj", "c_attn"], inFeatures: h, outFeatures: q + 2 * kv, bias: a.qkvBias))
        } else {
            out.append(c.linear("q_proj", aliases: ["q"], inFeatures: h, outFeatures: q, bias: a.qkvBias))
            out.append(c.linear("k_proj", aliases: ["k"], inFeatures: h, outFeatures: kv, bias: a.qkvBias))
            out.append(c.linear("v_proj", aliases: ["v"], inFeatures: h, outFeatures: kv, bias: a.qkvBias))
        }
        out.append(c.linear("o_proj", aliases: ["o", "dense", "c_proj"], inFeatures: q, outFeatures: h))
        return out
    }

    /// FLOPs of the attention core (QKᵀ and PV) in the forward pass, causal.
    static func coreFlops(_ c: LoweringContext) -> Double {
        let a = c.model.attention!
        let s = Double(c.workload.seq)
        return 4 * Double(c.workload.batch) * s * s * Double(a.heads * a.headDim) * 0.5
    }

    /// Forward; returns bytes saved for backward.
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext) -> Double {
        let a = c.model.attention!
        var saved = NormLowering.forward(&b, c, name: "input_norm")
        b.layer = .attention
        let t = c.tokens
        let qd = Double(a.heads * a.headDim), kvd = Double(a.kvHeads * a.headDim)
        let linears = projections(c)
        for l in linears.dropLast() {
            let r = l.forward(&b, tokens: t)
            saved += r.output + r.saved
        }
        // Rotary embedding on q and k: q*cos, rotate_half (slice, neg, cat), *sin, add.
        for (nm, d) in [("q", qd), ("k", kvd)] {
            let e = t * d
            b.alloc(3 * e * c.act)
            b.pointwise("rope_\(nm)_cos", elements: e, reads: 2)
            b.pointwise("rope_\(nm)_neg", elements: e / 2)
            b.pointwise("rope_\(nm)_cat", elements: e)
            b.pointwise("rope_\(nm)_sin", elements: e, reads: 2)
            b.pointwise("rope_\(nm)_add", elements: e, reads: 2)
            b.free(2 * e * c.act)
            saved += e * c.act
        }
        let s = Double(c.workload.seq), batch = Double(c.workload.batch)
        let out = t * qd * c.act
        b.alloc(out + t * Double(a.heads) * 4)
        if c.method.flashAttention {
            b.launch(
                "flash_fwd", .attention, flops: coreFlops(c), bytes: c.act * t * (2 * qd + 2 * kvd) + t * Double(a.heads) * 4,
                m: s, n: s, k: Double(a.headDim), batch: batch * Double(a.heads) * 0.5)
        } else {
            let scores = batch * Double(a.heads) * s * s
            b.alloc(2 * scores * c.act)
            b.gemm("qk_matmul", .attention, m: s, n: s, k: Double(a.headDim), batch: batch * Double(a.heads))
            b.pointwise("causal_mask", .attention, elements: scores, reads: 2)
            b.pointwise("softmax", .attention, elements: scores, flopsPerElement: 5)
            b.gemm("pv_matmul", .attention, m: s, n: Double(a.headDim), k: s, batch: batch * Double(a.heads))
            saved += 2 * scores * c.act
        }
        saved += out + t * Double(a.heads) * 4
        let o = linears.last!
        let r = o.forward(&b, tokens: t)
        saved += r.saved
        return saved + ResidualLowering.close(&b, c, blockOutput: r.output)
    }

    /// Backward; frees `saved`.
    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, saved: Double) {
        let a = c.model.attention!
        b.layer = .attention
        let t = c.tokens
        let qd = Double(a.heads * a.headDim), kvd = Double(a.kvHeads * a.headDim)
        let linears = projections(c)
        linears.last!.backward(&b, tokens: t)
        let s = Double(c.workload.seq), batch = Double(c.workload.batch)
        let grads = c.act * t * (qd + 2 * kvd)
        b.alloc(grads)
        if c.method.flashAttention {
            b.pointwise("flash_bwd_dot_do_o", .attention, elements: t * qd, reads: 2, writes: 0.02)
            b.launch(
                "flash_bwd", .attention, flops: 2.5 * coreFlops(c), bytes: c.act * t * (4 * qd + 4 * kvd) + t * qd * 4,
                m: s, n: s, k: Double(a.headDim), batch: batch * Double(a.heads) * 0.5)
            b.pointwise("flash_bwd_convert_dq", .attention, elements: t * qd, reads: 2, writes: 1)
        } else {
            let scores = batch * Double(a.heads) * s * s
            b.gemm("pv_matmul_dgrad", .attention, m: s, n: s, k: Double(a.headDim), batch: batch * Double(a.heads))
            b.gemm("pv_matmul_vgrad", .attention, m: s, n: Double(a.headDim), k: s, batch: batch * Double(a.heads))
            b.pointwise("softmax_bwd", .attention, elements: scores, reads: 2, flopsPerElement: 3)
            b.gemm("qk_matmul_qgrad", .attention, m: s, n: Double(a.headDim), k: s, batch: batch * Double(a.heads))
            b.gemm("qk_matmul_kgrad", .attention, m: s, n: Double(a.headDim), k: s, batch: batch * Double(a.heads))
        }
        for (nm, d) in [("q", qd), ("k", kvd)] {
            let e = t * d
            b.pointwise("rope_\(nm)_bwd_cos", elements: e, reads: 2)
            b.pointwise("rope_\(nm)_bwd_sin", elements: e, reads: 2)
            b.pointwise("rope_\(nm)_bwd_slice", elements: e)
            b.pointwise("rope_\(nm)_bwd_add", elements: e, reads: 2)
        }
        for l in linears.dropLast().reversed() { l.backward(&b, tokens: t) }
        b.pointwise("dx_accumulate", elements: t * c.hidden, reads: 3)
        b.free(grads)
        NormLowering.backward(&b, c, name: "input_norm", saved: 0)
        b.layer = .attention
        b.pointwise("residual_grad_add", elements: t * c.hidden, reads: 2)
        b.free(saved)
    }
}
