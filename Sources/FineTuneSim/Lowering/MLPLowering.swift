/// Dense feed-forward sub-layer (Llama-style SwiGLU, GeGLU, or plain GELU), as Hugging Face runs it.
enum MLPLowering {
    /// Whether a gated block's gate and up projections are one matrix (Phi-3's layout).
    static func fused(_ m: MLPSpec) -> Bool { m.activation.isGated && m.fusedGateUp }

    static func linears(_ c: LoweringContext) -> [LinearLayer] {
        let m = c.model.mlp!
        let h = c.model.hiddenSize, i = m.intermediateSize
        if m.activation.isGated {
            if fused(m) {
                return [
                    c.linear("gate_up_proj", aliases: ["gate_proj", "up_proj"], inFeatures: h, outFeatures: 2 * i),
                    c.linear("down_proj", aliases: ["w2", "c_proj"], inFeatures: i, outFeatures: h),
                ]
            }
            return [
                c.linear("gate_proj", aliases: ["w1"], inFeatures: h, outFeatures: i),
                c.linear("up_proj", aliases: ["w3"], inFeatures: h, outFeatures: i),
                c.linear("down_proj", aliases: ["w2", "c_proj"], inFeatures: i, outFeatures: h),
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
        if fused(m) { b.pointwise("chunk", elements: 2 * t * i) }
        // The activation's output, and the gated product (the down projection's input).
        let actBytes = (m.activation.isGated ? 2 : 1) * t * i * c.act
        b.alloc(actBytes)
        switch m.activation {
        case .swiglu: b.pointwise("silu", elements: t * i, flopsPerElement: 4)
        case .geglu, .gelu: b.pointwise("gelu", elements: t * i, flopsPerElement: 8)
        }
        if m.activation.isGated { b.pointwise("act_mul", elements: t * i, reads: 2) }
        saved += actBytes
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
        // Gradients of the activation's input (and, when gated, of the up projection's output).
        let gradBytes = (m.activation.isGated ? 2 : 1) * t * i * c.act
        b.alloc(gradBytes)
        ls.last!.backward(&b, tokens: t)
        if m.activation.isGated {
            b.pointwise("act_mul_bwd_a", elements: t * i, reads: 2)
            b.pointwise("act_mul_bwd_b", elements: t * i, reads: 2)
        }
        switch m.activation {
        case .swiglu: b.pointwise("silu_bwd", elements: t * i, reads: 2, flopsPerElement: 6)
        case .geglu, .gelu: b.pointwise("gelu_bwd", elements: t * i, reads: 2, flopsPerElement: 10)
        }
        if fused(m) { b.pointwise("chunk_bwd", elements: 2 * t * i) }
        for l in ls.dropLast().reversed() { l.backward(&b, tokens: t) }
        if ls.count > 2 { b.pointwise("dx_add", elements: t * c.hidden, reads: 2) }
        b.free(gradBytes)
        NormLowering.backward(&b, c, name: "post_attention_norm", saved: 0)
        b.layer = .mlp
        b.pointwise("residual_grad_add", elements: t * c.hidden, reads: 2)
        b.free(saved)
    }
}
