import Foundation

/// Gradient clipping and the optimizer step as PyTorch 2.1 runs them with `foreach` multi-tensor kernels:
/// each foreach op is split into launches by tensor count and by chunks of elements.
enum OptimizerLowering {
    /// One foreach op over every trained tensor: per element, `touches` accesses of `bytes` bytes.
    static func foreachOp(
        _ b: inout SegmentBuilder, _ name: String, kind: KernelKind = .optimizer, tensors: Double, elements: Double, touches: Double,
        bytes: Double, flopsPerElement: Double = 1, tensorsPerLaunch: Double = 48
    ) {
        guard elements > 0, tensors > 0 else { return }
        // multi_tensor_apply: at most `tensorsPerLaunch` tensors and 320 chunks of 65536 elements per launch.
        let launches = max((tensors / tensorsPerLaunch).rounded(.up), (elements / (65536 * 320)).rounded(.up))
        let count = Int(launches)
        let e = elements / launches
        for i in 0..<count {
            b.launch(
                "\(name)#\(i)", kind, flops: e * flopsPerElement, bytes: e * touches * bytes, elements: e, dtype: .fp32)
        }
    }

    static func lower(_ b: inout SegmentBuilder, _ c: LoweringContext, inventory inv: ParameterInventory) {
        let n = inv.trainable, tensors = max(1, inv.trainableTensors)
        // Gradient (and trained weight) bytes per element, averaged when `modules_to_save` copies train in
        // another dtype than the adapters.
        let gb = n > 0 ? inv.gradientBytes / n : c.method.trainableDType.bytes, sb = c.method.optimizerStateDType.bytes
        // Gradient clipping (the trainer's max_grad_norm): per-tensor norms, total norm, scale.
        foreachOp(&b, "clip_norm", tensors: tensors, elements: n, touches: 1, bytes: gb, flopsPerElement: 2)
        b.pointwise("clip_total_norm", .optimizer, elements: tensors, reads: 1, writes: 0, bytesPerElement: 4)
        b.pointwise("clip_coef", .optimizer, elements: 1, bytesPerElement: 4, sync: true)
        foreachOp(&b, "clip_scale", tensors: tensors, elements: n, touches: 2, bytes: gb)
        switch c.method.optimizer {
        case .adamw:
            // _multi_tensor_adamw: decay, lerp m, scale v, addcmul v, sqrt, divide, add eps, addcdiv.
            foreachOp(&b, "adamw_decay", tensors: tensors, elements: n, touches: 2, bytes: gb)
            foreachOp(&b, "adamw_lerp_m", tensors: tensors, elements: n, touches: 3, bytes: max(gb, sb), flopsPerElement: 3)
            foreachOp(&b, "adamw_mul_v", tensors: tensors, elements: n, touches: 2, bytes: sb)
            foreachOp(&b, "adamw_addcmul_v", tensors: tensors, elements: n, touches: 4, bytes: max(gb, sb), flopsPerElement: 3)
            // _foreach_sqrt materializes a copy of the second moments for the rest of the update.
            b.alloc(n * sb)
            foreachOp(&b, "adamw_sqrt", tensors: tensors, elements: n, touches: 2, bytes: sb)
            foreachOp(&b, "adamw_div", tensors: tensors, elements: n, touches: 2, bytes: sb)
            foreachOp(&b, "adamw_add_eps", tensors: tensors, elements: n, touches: 2, bytes: sb)
            foreachOp(&b, "adamw_addcdiv", tensors: tensors, elements: n, touches: 4, bytes: max(gb, sb), flopsPerElement: 3)
            b.free(n * sb)
        case .adamw8bit:
            // bitsandbytes: one fused kernel per tensor (dequantize moments, update, requantize).
            foreachOp(
                &b, "adamw8bit_update", tensors: tensors, elements: n, touches: 2 * gb + 4, bytes: 1, flopsPerElement: 20,
                tensorsPerLaunch: 1)
        case .sgd:
            foreachOp(&b, "sgd_add", tensors: tensors, elements: n, touches: 3, bytes: gb)
        }
        // zero_grad(set_to_none=True) frees every gradient.
        b.free(inv.gradientBytes)
    }
}
