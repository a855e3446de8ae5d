/// RMSNorm / LayerNorm over the residual stream.
///
/// Eager Hugging Face RMSNorm is seven kernels (cast to fp32, square, mean, add ε, rsqrt, scale, cast back,
/// weight multiply); mamba-ssm's fused Triton norm is one kernel each way.
enum NormLowering {
    /// Forward; returns bytes saved for backward (allocated, not freed).
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext, name: String) -> Double {
        let saved = b.layer
        b.layer = .norm
        defer { b.layer = saved }
        let e = c.tokens * c.hidden
        if c.fusedNorm {
            b.alloc(e * c.act + c.tokens * 4)
            b.pointwise("\(name).fused", .norm, elements: e, reads: 2, writes: 2, flopsPerElement: 4)
            return e * c.act + c.tokens * 4
        }
        b.alloc(e * 4)
        b.pointwise("\(name).to_fp32", .norm, elements: e, reads: 0.5, writes: 1, bytesPerElement: 4)
        b.pointwise("\(name).pow", .norm, elements: e, bytesPerElement: 4)
        b.pointwise("\(name).mean", .norm, elements: e, reads: 1, writes: 0, bytesPerElement: 4)
        b.pointwise("\(name).rsqrt", .norm, elements: c.tokens, bytesPerElement: 4, flopsPerElement: 2)
        b.alloc(e * 4)
        b.pointwise("\(name).mul", .norm, elements: e, reads: 1, writes: 1, bytesPerElement: 4)
        b.alloc(e * c.act)
        b.pointwise("\(name).to_bf16", .norm, elements: e, reads: 2, writes: 1)
        b.alloc(e * c.act)
        b.pointwise("\(name).weight_mul", .norm, elements: e)
        b.free(e * 4)
        return e * 4 + 2 * e * c.act
    }

    /// Backward; frees the forward's saved bytes.
    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, name: String, saved: Double) {
        let old = b.layer
        b.layer = .norm
        defer { b.layer = old }
        let e = c.tokens * c.hidden
        b.alloc(e * c.act)
        if c.fusedNorm {
            b.pointwise("\(name).fused_bwd", .norm, elements: e, reads: 3, writes: 1, flopsPerElement: 6)
            b.pointwise("\(name).weight_grad", .norm, elements: e, reads: 2, writes: 0)
        } else {
            b.pointwise("\(name).weight_mul_bwd", .norm, elements: e, reads: 2)
            b.pointwise("\(name).weight_grad", .norm, elements: e, reads: 2, writes: 0)
            b.pointwise("\(name).to_bf16_bwd", .norm, elements: e, reads: 1, writes: 2)
            b.pointwise("\(name).mul_bwd", .norm, elements: e, reads: 2, writes: 1, bytesPerElement: 4)
            b.pointwise("\(name).rsqrt_bwd", .norm, elements: e, reads: 2, writes: 0, bytesPerElement: 4)
            b.pointwise("\(name).mean_bwd", .norm, elements: e, reads: 1, writes: 1, bytesPerElement: 4)
            b.pointwise("\(name).pow_bwd", .norm, elements: e, reads: 2, writes: 1, bytesPerElement: 4)
            b.pointwise("\(name).add_grads", .norm, elements: e, reads: 2, writes: 1, bytesPerElement: 4)
            b.pointwise("\(name).to_fp32_bwd", .norm, elements: e, reads: 1, writes: 0.5, bytesPerElement: 4)
        }
        b.free(e * c.act)
        b.free(saved)
    }
}

/// The residual add that closes every sub-layer.
enum ResidualLowering {
    /// Adds the block's output (`blockOutput` bytes, freed once consumed) to the residual stream; returns the
    /// bytes of the new residual-stream tensor, which the next sub-layer reads and backward needs.
    static func close(_ b: inout SegmentBuilder, _ c: LoweringContext, blockOutput: Double) -> Double {
        let hidden = c.tokens * c.hidden * c.act
        b.alloc(hidden)
        b.pointwise("residual_add", elements: c.tokens * c.hidden, reads: 2)
        b.free(blockOutput)
        return hidden
    }
}
