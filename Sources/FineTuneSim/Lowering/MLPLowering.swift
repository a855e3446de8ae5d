/// Dense feed-forward sub-layer (Llama-style SwiGLU, or GELU), as Hugging Face runs it.
enum MLPLowering {
    static func linears(_ c: LoweringContext) -> [LinearLayer] {
        let m = c.model.mlp!
        let h = c.model.hiddenSize, i = m.intermediateSize
        if m.activation == .swiglu {
            if m.fusedGateUp {
                return [
                    c.linear("gate_up_proj", aliases: ["gate_proj", "up_proj"], inFeatures: h, outFeatures: 2 * i),
                    c.linear("down_proj", aliases: ["w2"], inFeatures: i, outFeatures: h),
                ]
            }
            return [
                c.linear("gate_proj", aliases: ["w1"], inFeatures: h, outFeatures: i),
                c.linear("up_proj", aliases: ["w3"], inFeatures: h, outFeatures: i),
                c.linear("down_proj", aliases: ["w2"], inFeatures: i, outFeatures: h),
            ]
        }
        return [
            c.linear("up_proj", aliases: ["fc1"], inFeatures: h, outFeatures: i),
            c.linear("down_proj", aliases: ["fc2"], inFeatures: i, outFeatures: h),
        ]
    }

    /// Forward; returns bytes saved for backward.
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext) -> Double {
        let m = c.model.mlp!
        var saved = NormLowering.forward(&b, c, name: "post_attention_norm")
        b.layer = .mlp
        let t = c.tokens, i = Double(m.intermediateSize)
        let ls = linears(c)
        for l in ls.dropLast() {
            let r = l.forward(&b, tokens: t)
            saved += r.output + r.saved
        }
        if m.fusedGateUp { b.pointwise("chunk", elements: 2 * t * i) }
        b.alloc(2 * t * i * c.act)
        if m.activation == .swiglu {
            b.pointwise("silu", elements: t * i, flopsPerElement: 4)
            b.pointwise("act_mul", elements: t * i, reads: 2)
        } else {
            b.pointwise("gelu", elements: t * i, flopsPerElement: 8)
        }
        saved += 2 * t * i * c.act
        let r = ls.last!.forward(&b, tokens: t)
        saved += r.saved
        return saved + ResidualLowering.close(&b, c, blockOutput: r.output)
    }

    /// Backward; frees `saved`.
    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, saved: Double) {
        let m = c.model.mlp!
        b.layer = .mlp
        let t = c.tokens, i = Double(m.intermediateSize)
        let ls = linears(c)
        b.alloc(2 * t * i * c.act)
        ls.last!.backward(&b, tokens: t)
        if m.activation == .swiglu {
            b.pointwise("act_mul_bwd_a", elements: t * i, reads: 2)
            b.pointwise("act_mul_bwd_b", elements: t * i, reads: 2)
            b.pointwise("silu_bwd", elements: t * i, reads: 2, flopsPerElement: 6)
        } else {
            b.pointwise("gelu_bwd", elements: t * i, reads: 2, flopsPerElement: 10)
        }
        if m.fusedGateUp { b.pointwise("chunk_bwd", elements: 2 * t * i) }
        for l in ls.dropLast().reversed() { l.backward(&b, tokens: t) }
        if ls.count > 2 { b.pointwise("dx_add", elements: t * c.hidden, reads: 2) }
        b.free(2 * t * i * c.act)
        NormLowering.backward(&b, c, name: "post_attention_norm", saved: 0)
        b.layer = .mlp
        b.pointwise("residual_grad_add", elements: t * c.hidden, reads: 2)
        b.free(saved)
    }
}
