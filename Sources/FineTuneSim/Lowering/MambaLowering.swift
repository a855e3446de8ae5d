/// Mamba-1 mixer sub-layer as mamba-ssm 1.2's fused `mamba_inner_fn` runs it: in_proj, causal conv1d,
/// x_proj, dt_proj, the selective scan (with the SiLU(z) gate fused), out_proj. Its backward recomputes
/// the convolution and Δ (checkpoint level 1) before the scan's backward kernel.
enum MambaLowering {
    static func linears(_ c: LoweringContext) -> (inProj: LinearLayer, xProj: LinearLayer, dtProj: LinearLayer, outProj: LinearLayer) {
        let m = c.model.mamba!
        let h = c.model.hiddenSize
        return (
            c.linear("in_proj", inFeatures: h, outFeatures: 2 * m.innerSize, bias: m.projBias),
            c.linear("x_proj", inFeatures: m.innerSize, outFeatures: m.dtRank + 2 * m.stateSize),
            c.linear("dt_proj", inFeatures: m.dtRank, outFeatures: m.innerSize, bias: true),
            c.linear("out_proj", inFeatures: m.innerSize, outFeatures: h, bias: m.projBias)
        )
    }

    /// The selective scan as mamba-ssm 1.2's `selective_scan_fwd`/`bwd` kernels run it: one thread block per
    /// (sequence, channel) pair (`blocks`), each walking its sequence in chunks of 2,048 tokens with a parallel
    /// block scan over the state dimension's recurrences (`threads` per block: 32 up to 512 tokens, 64 up to
    /// 1,024, else 128).
    ///
    /// Per (token, channel, state) the forward does exp(ΔA) on the special-function unit (about 4 FMA slots),
    /// Δ·B·u, the scan's combine and its share of the warp shuffles, and C·h: about 13 fp32 operations; per
    /// (token, channel) softplus(Δ + bias), the D skip and the SiLU(z) gate: about 20. The backward re-runs
    /// the chunk's forward scan, runs the reverse scan and forms dA, dB, dC, dΔ and du: about 36 and 30.
    /// Because B and C are shared by every channel, each block adds its dB and dC contributions into global
    /// memory with fp32 atomics: 2 per (token, channel, state).
    struct ScanWork {
        var flops: Double, bytes: Double, blocks: Double, threads: Double, atomics: Double
    }

    static func scanWork(_ c: LoweringContext, backward: Bool) -> ScanWork {
        let m = c.model.mamba!
        let t = c.tokens, d = Double(m.innerSize), n = Double(m.stateSize)
        let seq = c.workload.seq
        let threads: Double = seq <= 512 ? 32 : (seq <= 1024 ? 64 : 128)
        let blocks = Double(c.workload.batch) * d
        // Reads u, Δ, z and writes the gated output (compute dtype), reads B and C (fp32) once from DRAM
        // (every block re-reads them from L2), and writes each chunk's last state for the backward.
        let chunks = max(1, Double(seq) / 2048).rounded(.up)
        let fwdBytes = c.act * t * d * 4 + t * 2 * n * 4 + Double(c.workload.batch) * d * chunks * 2 * n * 4
        if backward {
            return ScanWork(
                flops: t * d * n * 36 + t * d * 30, bytes: 2 * fwdBytes, blocks: blocks, threads: threads, atomics: 2 * t * d * n)
        }
        return ScanWork(flops: t * d * n * 13 + t * d * 20, bytes: fwdBytes, blocks: blocks, threads: threads, atomics: 0)
    }

    /// Forward; returns bytes saved for backward.
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext) -> Double {
        let m = c.model.mamba!
        var saved = NormLowering.forward(&b, c, name: "norm")
        b.layer = .mamba
        let t = c.tokens, d = Double(m.innerSize), n = Double(m.stateSize), w = Double(m.convWidth)
        let l = linears(c)
        let xz = l.inProj.forward(&b, tokens: t)
        saved += xz.output + xz.saved
        b.alloc(t * d * c.act)
        b.pointwise("x_contiguous", elements: t * d)
        b.alloc(t * d * c.act)
        b.launch("conv1d_fwd", .conv1d, flops: t * d * w * 2, bytes: c.act * t * d * 2 + d * w * c.act, elements: t * d)
        let xdbl = l.xProj.forward(&b, tokens: t)
        saved += xdbl.output + xdbl.saved
        b.alloc(t * d * c.act)
        b.gemm("dt_proj.gemm", .gemm, m: t, n: d, k: Double(m.dtRank))
        b.alloc(2 * t * n * 4)
        b.pointwise("b_contiguous", elements: t * n, bytesPerElement: 4)
        b.pointwise("c_contiguous", elements: t * n, bytesPerElement: 4)
        let scan = scanWork(c, backward: false)
        b.alloc(t * d * c.act)
        b.launch(
            "selective_scan_fwd", .mambaScan, flops: scan.flops, bytes: scan.bytes, m: scan.blocks, n: scan.threads, elements: 0,
            dtype: .fp32)
        saved += 2 * t * n * 4 + t * d * c.act
        b.free(3 * t * d * c.act)
        let out = l.outProj.forward(&b, tokens: t)
        saved += out.saved  // its input, the gated scan output, is counted above
        return saved + ResidualLowering.close(&b, c, blockOutput: out.output)
    }

    /// Backward; frees `saved`.
    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, saved: Double) {
        let m = c.model.mamba!
        b.layer = .mamba
        let t = c.tokens, d = Double(m.innerSize), w = Double(m.convWidth), n = Double(m.stateSize)
        let l = linears(c)
        l.outProj.backward(&b, tokens: t)
        b.alloc(3 * t * d * c.act)
        b.launch("conv1d_fwd_recompute", .conv1d, flops: t * d * w * 2, bytes: c.act * t * d * 2, elements: t * d)
        b.gemm("dt_proj.recompute", .gemm, m: t, n: d, k: Double(m.dtRank))
        let scan = scanWork(c, backward: true)
        b.alloc(2 * t * d * c.act + 2 * t * n * 4)
        b.launch(
            "selective_scan_bwd", .mambaScan, flops: scan.flops, bytes: scan.bytes, m: scan.blocks, n: scan.threads,
            elements: scan.atomics, dtype: .fp32)
        l.dtProj.backward(&b, tokens: t)
        b.pointwise("db_dc_rearrange", elements: 2 * t * n, bytesPerElement: 4)
        l.xProj.backward(&b, tokens: t)
        b.pointwise("dx_add", elements: t * d, reads: 2)
        b.launch("conv1d_bwd", .conv1d, flops: t * d * w * 4, bytes: c.act * t * d * 3 + d * w * 4, elements: t * d)
        b.pointwise("dxz_cat", elements: 2 * t * d)
        l.inProj.backward(&b, tokens: t)
        b.free(5 * t * d * c.act + 2 * t * n * 4)
        NormLowering.backward(&b, c, name: "norm", saved: 0)
        b.layer = .mamba
        b.pointwise("residual_grad_add", elements: t * c.hidden, reads: 2)
        b.free(saved)
    }
}
