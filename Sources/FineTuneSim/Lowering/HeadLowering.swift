/// Token embedding, final norm, LM head and cross-entropy loss, as Hugging Face causal-LM models run
/// them (logits upcast to fp32, shifted, log-softmax and NLL).
enum HeadLowering {
    static func embeddingForward(_ b: inout SegmentBuilder, _ c: LoweringContext) {
        let e = c.tokens * c.hidden
        b.alloc(e * c.act)
        b.pointwise("embedding_lookup", .embedding, elements: e, reads: 1, writes: 1)
    }

    /// Whether the input embedding trains (full fine-tuning, or in `modules_to_save`; a tied one with the head).
    static func trainsEmbedding(_ c: LoweringContext) -> Bool {
        c.method.savesModule("embed_tokens") || (c.model.tieEmbeddings && c.method.savesModule("lm_head"))
    }

    static func embeddingBackward(_ b: inout SegmentBuilder, _ c: LoweringContext, inventory: ParameterInventory) {
        if trainsEmbedding(c) {
            let v = Double(c.model.vocabSize)
            b.pointwise("embedding_sort", .embedding, elements: c.tokens, reads: 2, writes: 2, bytesPerElement: 8)
            b.pointwise("embedding_grad_zero", .embedding, elements: v * c.hidden, reads: 0)
            b.pointwise("embedding_dense_bwd", .embedding, elements: c.tokens * c.hidden, reads: 2, writes: 1, bytesPerElement: 4)
            b.pointwise("embedding_grad_cast", .embedding, elements: v * c.hidden, reads: 1, writes: 1)
        }
        if c.accumulating && inventory.nonLinearGradientBytes > 0 {
            // A later micro-batch: the gradients outside linear layers were temporaries; add them in place.
            let bytes = inventory.nonLinearGradientBytes
            let n = bytes / (c.method.trainsBase ? c.method.trainableDType.bytes : c.method.baseWeightBytes)
            b.launch("grad_accumulate", .elementwise, flops: n, bytes: 3 * bytes, elements: n, dtype: .fp32)
            b.freeUnscaled(bytes)
        }
        // The residual stream's input and its gradient go.
        b.free(2 * c.tokens * c.hidden * c.act)
    }

    static func lmHead(_ c: LoweringContext) -> LinearLayer {
        var l = c.linear("lm_head", inFeatures: c.model.hiddenSize, outFeatures: c.model.vocabSize)
        l.quant = .none  // quantizers skip the LM head
        l.loraRank = 0
        if !c.method.trainsBase
            && (c.method.savesModule("lm_head") || (c.model.tieEmbeddings && c.method.savesModule("embed_tokens")))
        {
            // modules_to_save: the copy trains in the base weights' dtype.
            l.trained = true
            l.weightBytes = c.method.baseWeightBytes
            l.trainableBytes = c.method.baseWeightBytes
        }
        return l
    }

    /// Final norm, LM head and loss forward; returns bytes saved for the head's backward.
    static func forward(_ b: inout SegmentBuilder, _ c: LoweringContext) -> Double {
        var saved = NormLowering.forward(&b, c, name: "final_norm")
        b.layer = .head
        let tv = c.tokens * Double(c.model.vocabSize)
        let r = lmHead(c).forward(&b, tokens: c.tokens)
        b.alloc(tv * 4)
        b.pointwise("logits_float", .loss, elements: tv, reads: 0.5, writes: 1, bytesPerElement: 4)
        b.free(r.output)
        b.alloc(tv * 4)
        b.pointwise("shift_contiguous", .loss, elements: tv, bytesPerElement: 4)
        b.alloc(tv * 4)
        b.launch("log_softmax", .loss, flops: tv * 5, bytes: tv * 8 * 2, elements: tv, dtype: .fp32)
        b.pointwise("nll_loss", .loss, elements: c.tokens, reads: 2, writes: 0, bytesPerElement: 4)
        // The trainer keeps only the loss: the fp32 logits (returned in the model's outputs) and their shifted
        // copy go when the forward returns; autograd keeps the log-softmax output for its backward.
        b.free(2 * tv * 4)
        saved += tv * 4
        return saved
    }

    static func backward(_ b: inout SegmentBuilder, _ c: LoweringContext, saved: Double, inventory: ParameterInventory) {
        b.layer = .head
        let tv = c.tokens * Double(c.model.vocabSize)
        // Gradients of trained parameters outside linear layers (norms, embedding, Mamba's A/D/conv); the
        // LM head's (the embedding's, when tied) is allocated by the head's linear backward below.
        b.allocUnscaled(inventory.nonLinearGradientBytes)
        b.alloc(tv * 4)
        b.pointwise("nll_loss_bwd", .loss, elements: tv, reads: 0, writes: 1, bytesPerElement: 4)
        b.alloc(tv * 4)
        b.launch("log_softmax_bwd", .loss, flops: tv * 3, bytes: tv * 12, elements: tv, dtype: .fp32)
        // The loss gradient and the saved log-softmax output go once the log-softmax's gradient exists.
        b.free(2 * tv * 4)
        // The shift's backward scatters into a zero-filled gradient of the full logits.
        b.alloc(tv * 4)
        b.pointwise("shift_bwd", .loss, elements: tv, reads: 1, writes: 2, bytesPerElement: 4)
        b.free(tv * 4)
        b.alloc(tv * c.act)
        b.pointwise("logits_float_bwd", .loss, elements: tv, reads: 2, writes: 1)
        b.free(tv * 4)
        // The residual-stream gradient buffer lives through the backward pass.
        b.alloc(c.tokens * c.hidden * c.act)
        lmHead(c).backward(&b, tokens: c.tokens)
        b.free(tv * c.act)
        NormLowering.backward(&b, c, name: "final_norm", saved: 0)
        b.free(saved - tv * 4)
    }
}
