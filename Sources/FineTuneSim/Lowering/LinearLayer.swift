/// One linear layer as the frameworks run it: a base weight (trained, frozen, or frozen and quantized)
/// with an optional LoRA adapter, lowered to the kernels of its forward and backward passes.
///
/// The kernel sequence follows bitsandbytes 0.42 (`dequantize_4bit`: absmax dequantize, offset add,
/// 4-bit expand), peft 0.7 (`Linear4bit.forward`: clone, adapter matmuls under autocast with weight casts,
/// scaling, add) and PyTorch autograd (input gradient, weight gradient only for trained weights). GPTQ
/// weights follow auto-gptq's CUDA/exllama `QuantLinear` as peft trains over it: the int4 weight is expanded
/// to an fp16 copy (one dequantize kernel, bounded by bandwidth and by instruction issue like NF4's) and an
/// fp16 matmul runs on it, forward and backward.
public struct LinearLayer: Sendable {
    /// Weight name, e.g. `w1` or `q_proj`.
    public var name: String
    /// Input features.
    public var inFeatures: Double
    /// Output features.
    public var outFeatures: Double
    /// Kind of the main matmul (`gemm`, `expert_ffn` or `gating`).
    public var kind: KernelKind
    /// Whether the weight carries a bias.
    public var bias: Bool
    /// Whether the base weight trains.
    public var trained: Bool
    /// Base weight storage (none: compute dtype).
    public var quant: FineTuneMethod.Quantization
    /// Whether NF4 constants are double-quantized.
    public var doubleQuant: Bool
    /// LoRA rank (0: no adapter).
    public var loraRank: Double
    /// Bytes per element of trained weights (adapter, or base under full fine-tuning) and their gradients:
    /// the method's trainable dtype.
    public var trainableBytes: Double
    /// Bytes per element of the unquantized base weight as stored (4 for fp32 master weights under mixed
    /// precision, which autocast casts to the compute dtype before each matmul).
    public var weightBytes: Double = 2
    /// Whether the weight gradients already exist (a later micro-batch under gradient accumulation): autograd
    /// computes each into a temporary and adds it in place (`AccumulateGrad`), so nothing stays allocated.
    public var accumulate: Bool = false

    /// GPTQ's group size along the input features.
    public static let gptqGroupSize = 128.0

    /// Parameters of the base weight.
    public var baseParameters: Double { inFeatures * outFeatures + (bias ? outFeatures : 0) }
    /// Parameters of the adapter.
    public var loraParameters: Double { loraRank * (inFeatures + outFeatures) }

    /// Bytes the base weight occupies in device memory (with NF4/int8 constants).
    public var baseWeightBytes: Double {
        let e = inFeatures * outFeatures
        let biasBytes = bias ? outFeatures * (quant == .none ? weightBytes : 2) : 0
        switch quant {
        case .none: return e * weightBytes + biasBytes
        case .int8: return e + outFeatures * 4 + biasBytes
        case .nf4:
            // 64-element blocks; absmax fp32, or 8-bit with fp32 constants per 256 blocks under double quant.
            let blocks = e / 64
            let constants = doubleQuant ? blocks * 1 + blocks / 256 * 4 : blocks * 4
            return e * 0.5 + constants + biasBytes
        case .gptqInt4:
            // Packed int4 weights; per group of 128 inputs and per output an fp16 scale and a packed int4 zero;
            // an int32 group index per input (act-order).
            let groups = (inFeatures / Self.gptqGroupSize).rounded(.up)
            return e * 0.5 + groups * outFeatures * 2.5 + inFeatures * 4 + biasBytes
        }
    }

    /// Whether autocast casts the stored weight to the compute dtype (`act` bytes) before each matmul.
    func castsWeight(act: Double) -> Bool { quant == .none && weightBytes != act }

    /// Forward pass over `tokens` rows. Allocates the output (bytes returned) and keeps what autograd
    /// saves; returns (output bytes, bytes saved for backward beyond the input).
    @discardableResult
    public func forward(_ b: inout SegmentBuilder, tokens t: Double) -> (output: Double, saved: Double) {
        let out = t * outFeatures * b.act
        // bitsandbytes' Python path; auto-gptq's dequantize is plain PyTorch ops, each charged as a launch.
        if quant != .none && !quant.isGPTQ { b.hostCall(.quantizedLinear) }
        if loraRank > 0 { b.hostCall(.loraLinear) }
        dequantize(&b, tokens: t)
        let e = inFeatures * outFeatures
        let casts = castsWeight(act: b.act)
        if casts {
            b.allocUnscaled(e * b.act)
            b.launch(name + ".weight_cast", .elementwise, flops: e, bytes: e * (weightBytes + b.act), elements: e, dtype: .fp32)
        }
        b.alloc(out)
        b.gemm(name + ".gemm", kind, m: t, n: outFeatures, k: inFeatures)
        if quant != .none || casts { b.freeUnscaled(e * b.act) }
        var saved = 0.0
        if loraRank > 0 {
            let r = loraRank
            b.pointwise(name + ".lora_clone", .lora, elements: t * outFeatures)
            b.pointwise(name + ".lora_a_cast", .lora, elements: r * inFeatures, bytesPerElement: 3)
            b.alloc(t * r * b.act)
            b.gemm(name + ".lora_a", .lora, m: t, n: r, k: inFeatures)
            b.pointwise(name + ".lora_b_cast", .lora, elements: r * outFeatures, bytesPerElement: 3)
            b.alloc(t * outFeatures * b.act * 2)
            b.gemm(name + ".lora_b", .lora, m: t, n: outFeatures, k: r)
            b.pointwise(name + ".lora_scale", .lora, elements: t * outFeatures)
            b.pointwise(name + ".lora_add", .lora, elements: t * outFeatures, reads: 2)
            b.free(t * outFeatures * b.act * 2)
            saved += t * r * b.act
        }
        return (out, saved)
    }

    /// Backward pass over `tokens` rows: input gradient always (the layer's input needs it), weight
    /// gradient only where trained, the adapter's gradients where present.
    public func backward(_ b: inout SegmentBuilder, tokens t: Double, needsInputGradient: Bool = true) {
        let gradIn = t * inFeatures * b.act
        // Gradients of trained weights live until the optimizer step frees them; a later micro-batch's are
        // temporaries added into them.
        let gradBytes = ((trained ? baseParameters : 0) + loraParameters) * trainableBytes
        b.allocUnscaled(gradBytes)
        let casts = castsWeight(act: b.act) && (needsInputGradient || trained)
        // The compute-dtype copy autograd saved from the forward's cast.
        if casts { b.allocUnscaled(inFeatures * outFeatures * b.act) }
        if loraRank > 0 {
            let r = loraRank
            b.pointwise(name + ".lora_scale_bwd", .lora, elements: t * outFeatures)
            b.alloc(t * r * b.act)
            b.gemm(name + ".lora_b_dgrad", .lora, m: t, n: r, k: outFeatures)
            b.gemm(name + ".lora_b_wgrad", .lora, m: outFeatures, n: r, k: t)
            b.pointwise(name + ".lora_b_gcast", .lora, elements: r * outFeatures, bytesPerElement: 3)
            b.alloc(gradIn)
            b.gemm(name + ".lora_a_dgrad", .lora, m: t, n: inFeatures, k: r)
            b.gemm(name + ".lora_a_wgrad", .lora, m: r, n: inFeatures, k: t)
            b.pointwise(name + ".lora_a_gcast", .lora, elements: r * inFeatures, bytesPerElement: 3)
            b.free(t * r * b.act)
        }
        if needsInputGradient || trained {
            if quant.isGPTQ {
                // auto-gptq's dequantize is plain PyTorch: autograd saved the fp16 weight it built, and the
                // backward matmul reads that copy (allocated here to stand for it).
                b.allocUnscaled(inFeatures * outFeatures * b.act)
            } else {
                // MatMul4Bit's backward is a Python autograd function that dequantizes again.
                if quant != .none { b.hostCall(.quantizedLinear) }
                dequantize(&b, tokens: t)
            }
        }
        if needsInputGradient {
            b.alloc(gradIn)
            b.gemm(name + ".dgrad", kind, m: t, n: inFeatures, k: outFeatures)
        }
        if quant != .none && (needsInputGradient || trained) { b.freeUnscaled(inFeatures * outFeatures * b.act) }
        if trained {
            b.gemm(name + ".wgrad", kind, m: outFeatures, n: inFeatures, k: t)
            if bias { b.pointwise(name + ".bgrad", kind == .gating ? .gating : .elementwise, elements: t * outFeatures, writes: 0) }
            if casts {
                // The cast's backward: the compute-dtype gradient to the master weight's dtype.
                let e = inFeatures * outFeatures
                b.launch(name + ".wgrad_cast", .elementwise, flops: e, bytes: e * (b.act + trainableBytes), elements: e, dtype: .fp32)
            }
        }
        if casts { b.freeUnscaled(inFeatures * outFeatures * b.act) }
        if accumulate && gradBytes > 0 {
            // AccumulateGrad: grad += new, then the temporary goes.
            let n = gradBytes / trainableBytes
            b.launch(name + ".grad_accumulate", .elementwise, flops: n, bytes: 3 * gradBytes, elements: n, dtype: .fp32)
            b.freeUnscaled(gradBytes)
        }
        if loraRank > 0 {
            b.pointwise(name + ".lora_dx_add", .lora, elements: t * inFeatures, reads: 2)
            b.free(gradIn)
        }
        // The input gradient is consumed by the op that produced the input (its backward runs next); the
        // caller's gradient buffers for the residual stream and the block are accounted by the caller.
        if needsInputGradient { b.free(gradIn) }
    }

    /// The dequantize kernels that expand the base weight to the compute dtype (allocates the bf16 copy).
    private func dequantize(_ b: inout SegmentBuilder, tokens: Double) {
        guard quant != .none else { return }
        let e = inFeatures * outFeatures
        if quant == .nf4 && doubleQuant {
            let blocks = e / 64
            b.pointwise(name + ".dequant_absmax", .dequant, elements: blocks, reads: 1, writes: 4, bytesPerElement: 1)
            b.pointwise(name + ".dequant_offset", .dequant, elements: blocks, bytesPerElement: 4)
        }
        if quant.isGPTQ {
            gptqDequantize(&b)
            return
        }
        b.allocUnscaled(e * b.act)
        let inBytes: Double
        switch quant {
        case .nf4: inBytes = e * 0.5 + e / 64 * 4
        case .gptqInt4: inBytes = baseWeightBytes - (bias ? outFeatures * 2 : 0)
        case .int8, .none: inBytes = e + outFeatures * 4
        }
        b.launch(name + ".dequant", .dequant, flops: e * 2, bytes: inBytes + e * b.act, elements: e)
    }

    /// auto-gptq's `QuantLinear` (cuda-old) as it trains: for more than 128 rows (always, in fine-tuning) it
    /// dequantizes with PyTorch operations, each a full pass over the weight — the zeros' shift, add and mask
    /// (one value per group and column), then the weight's shift of the expanded int32 words (int32 out),
    /// its cast to int8, the mask, the zero subtraction (int8) and the scale multiply (fp16 out): about
    /// 16.5 bytes of traffic per weight, bandwidth-bound.
    private func gptqDequantize(_ b: inout SegmentBuilder) {
        let e = inFeatures * outFeatures
        let z = (inFeatures / Self.gptqGroupSize).rounded(.up) * outFeatures
        // Plain elementwise passes (no decode-rate bound): `bytes` per weight moved.
        func pass(_ op: String, _ n: Double, bytes: Double) {
            b.launch(name + ".gptq_" + op, .dequant, flops: n, bytes: n * bytes, elements: 0, dtype: .fp32)
        }
        pass("zeros_shift", z, bytes: 4.5)
        pass("zeros_add", z, bytes: 2)
        pass("zeros_mask", z, bytes: 2)
        b.allocUnscaled(e * 4)
        pass("shift", e, bytes: 4.5)
        b.allocUnscaled(e)
        pass("cast", e, bytes: 5)
        b.freeUnscaled(e * 4)
        pass("mask", e, bytes: 2)
        b.allocUnscaled(e)
        pass("sub_zero", e, bytes: 2)
        b.freeUnscaled(e)
        b.allocUnscaled(e * b.act)
        pass("scale", e, bytes: 1 + b.act)
        b.freeUnscaled(e)
    }
}
