import XCTest

@testable import FineTuneSim

/// FLOPs and bytes of each kernel kind against hand calculations.
final class KernelWorkTests: XCTestCase {
    func lowered(_ id: String, topK: Int? = nil, batch: Int = 2, seq: Int = 64) throws -> Program {
        let m = try model(id, topK: topK)
        return Lowering.lower(model: m, method: m.preset, workload: Workload(batch: batch, seq: seq))
    }

    func kernels(_ p: Program, _ name: String, phase: Phase? = nil) -> [Kernel] {
        p.order.flatMap { p.segments[$0].kernels }.filter { $0.name == name && (phase == nil || $0.phase == phase) }
    }

    func testExpertMatmulFlopsAndBytes() throws {
        // Mixtral top-2, 2×64 = 128 tokens → 32 tokens per expert (uniform); w1 is 4096 → 14336.
        let p = try lowered("mixtral-8x7b", topK: 2)
        let w1 = kernels(p, "w1.gemm", phase: .forward)
        XCTAssertEqual(w1.count, 32 * 8)
        let k = w1[0]
        XCTAssertEqual(k.kind, .expertFFN)
        XCTAssertEqual(k.flops, 2.0 * 32 * 14336 * 4096, accuracy: 1)
        let elements: Double = 32.0 * 4096 + 4096.0 * 14336 + 32.0 * 14336
        XCTAssertEqual(k.bytes, 2 * elements, accuracy: 1)
    }

    func testDequantizeWork() throws {
        let p = try lowered("mixtral-8x7b")
        let d = kernels(p, "w2.dequant", phase: .forward)[0]
        let e = 4096.0 * 14336
        XCTAssertEqual(d.kind, .dequant)
        XCTAssertEqual(d.elements, e)
        // 0.5 B per NF4 value + fp32 absmax per 64 values in, 2 B per bf16 value out.
        XCTAssertEqual(d.bytes, e * 0.5 + e / 64 * 4 + e * 2, accuracy: 1)
        // QLoRA dequantizes each frozen weight in forward, recompute and backward: 3 per weight per layer.
        XCTAssertEqual(kernels(p, "w2.dequant").count, 3 * 32 * 8)
    }

    func testFrozenWeightsGetNoWeightGradient() throws {
        let p = try lowered("mixtral-8x7b")
        XCTAssertTrue(kernels(p, "w1.wgrad").isEmpty, "QLoRA base weights are frozen")
        XCTAssertEqual(kernels(p, "w1.dgrad").count, 32 * 8)
        XCTAssertEqual(kernels(p, "w1.lora_a_wgrad").count, 32 * 8)
        let full = try lowered("blackmamba-2.8b")
        XCTAssertEqual(kernels(full, "w1.wgrad").count, 18 * 8, "full fine-tuning trains every weight")
    }

    /// Dense feed-forward activations: SwiGLU and GeGLU gate an up projection (three matrices' worth of
    /// FLOPs and an elementwise product); plain GELU has two matrices and no product.
    func testDenseFeedForwardActivations() throws {
        var m = try model("llama-2-7b")
        let (t, h, i) = (2.0 * 64, 4096.0, 11008.0)
        func lowered(_ a: FFNActivation) -> Program {
            m.mlp!.activation = a
            return Lowering.lower(model: m, method: m.preset, workload: Workload(batch: 2, seq: 64))
        }
        func mlpForwardFlops(_ p: Program) -> Double {
            var total = 0.0
            for k in p.order.flatMap({ p.segments[$0].kernels })
            where k.layer == .mlp && k.phase == .forward && k.kind == .gemm && !k.name.contains("lora") {
                total += k.flops
            }
            return total
        }
        let swiglu = lowered(.swiglu), geglu = lowered(.geglu), gelu = lowered(.gelu)
        XCTAssertEqual(mlpForwardFlops(swiglu) / 32, 2 * t * h * i * 3, accuracy: 1)
        XCTAssertEqual(mlpForwardFlops(geglu), mlpForwardFlops(swiglu), accuracy: 1)
        XCTAssertEqual(mlpForwardFlops(gelu) / 32, 2 * t * h * i * 2, accuracy: 1)
        XCTAssertEqual(kernels(geglu, "gelu", phase: .forward).count, 32)
        XCTAssertEqual(kernels(geglu, "act_mul", phase: .forward).count, 32)
        XCTAssertEqual(kernels(geglu, "gate_proj.gemm", phase: .forward).count, 32, "Gemma's layout: gate and up apart")
        m.mlp!.fusedGateUp = true
        let fusedGeglu = lowered(.geglu), fusedGelu = lowered(.gelu)
        XCTAssertEqual(kernels(fusedGeglu, "gate_up_proj.gemm", phase: .forward).count, 32, "gate and up fused")
        XCTAssertEqual(mlpForwardFlops(fusedGeglu), mlpForwardFlops(swiglu), accuracy: 1)
        XCTAssertTrue(kernels(fusedGelu, "chunk").isEmpty, "a plain GELU block has nothing to split")
        XCTAssertTrue(kernels(gelu, "act_mul").isEmpty)
        XCTAssertTrue(kernels(swiglu, "gelu").isEmpty)
    }

    func testAttentionFlops() throws {
        // Causal FlashAttention forward: 4·b·s²·h·d / 2; backward 2.5× that.
        let p = try lowered("mixtral-8x7b", batch: 2, seq: 64)
        let f = kernels(p, "flash_fwd", phase: .forward)[0]
        XCTAssertEqual(f.kind, .attention)
        XCTAssertEqual(f.flops, 4 * 2 * 64 * 64 * 32 * 128 / 2, accuracy: 1)
        XCTAssertEqual(kernels(p, "flash_bwd")[0].flops, 2.5 * f.flops, accuracy: 1)
    }

    func testMambaKernels() throws {
        let p = try lowered("blackmamba-2.8b", batch: 1, seq: 128)
        let scan = kernels(p, "selective_scan_fwd")[0]
        XCTAssertEqual(scan.kind, .mambaScan)
        // mamba-ssm's grid: one block of 32 threads per (sequence, channel) at 128 tokens; no atomics forward.
        XCTAssertEqual(scan.m, 2944)
        XCTAssertEqual(scan.n, 32)
        XCTAssertEqual(scan.elements, 0)
        XCTAssertEqual(scan.flops, 128 * 2944 * 16 * 13 + 128 * 2944 * 20, accuracy: 1)
        // The backward adds dB and dC across channels with fp32 atomics: 2 per (token, channel, state).
        let bwd = kernels(p, "selective_scan_bwd")[0]
        XCTAssertEqual(bwd.elements, 2 * 128 * 2944 * 16)
        XCTAssertEqual(bwd.flops, 128 * 2944 * 16 * 36 + 128 * 2944 * 30, accuracy: 1)
        let a40 = try catalog.gpu("a40")
        var p1 = CalibrationParameters()
        p1["atomic_adds_per_sm_cycle"] = 0.5
        XCTAssertEqual(CostModel(gpu: a40, parameters: p1).time(bwd).bound, .atomics)
        let conv = kernels(p, "conv1d_fwd")[0]
        XCTAssertEqual(conv.kind, .conv1d)
        XCTAssertEqual(conv.flops, 128 * 2944 * 4 * 2, accuracy: 1)
        let inProj = kernels(p, "in_proj.gemm")[0]
        XCTAssertEqual(inProj.flops, 2 * 128 * 1472 * 5888, accuracy: 1)
    }

    func testLoRAKernels() throws {
        let p = try lowered("mixtral-8x7b", batch: 1, seq: 128)
        let a = kernels(p, "w1.lora_a", phase: .forward)[0]
        // 128·2/8 = 32 tokens, rank 16.
        XCTAssertEqual(a.kind, .lora)
        XCTAssertEqual(a.flops, 2 * 32 * 16 * 4096, accuracy: 1)
    }

    func testGatingAndHostSyncs() throws {
        let p = try lowered("mixtral-8x7b")
        let nz = kernels(p, "expert0.nonzero")
        XCTAssertTrue(nz.allSatisfy { $0.kind == .gating && $0.syncsHost })
        // Three syncs per expert per MoE layer in forward and in recompute (the nonzero, and the two list-index
        // copies of transformers 4.40's loop), plus the optimizer's grad-norm read.
        XCTAssertEqual(p.syncCount, 3 * 8 * 32 * 2 + 1)
        XCTAssertFalse(kernels(p, "expert0.weight_index_h2d").isEmpty)
        // Without list indexing (BlackMamba's loop): one per expert.
        var m = try model("mixtral-8x7b")
        m.moe!.indexWithLists = false
        let q = Lowering.lower(model: m, method: m.preset, workload: Workload(batch: 1, seq: 128))
        XCTAssertEqual(q.syncCount, 8 * 32 * 2 + 1)
        XCTAssertFalse(kernels(p, "topk").isEmpty)
    }

    func testOptimizerTouchesEveryTrainedParameter() throws {
        let m = try model("blackmamba-2.8b")
        let c = LoweringContext(model: m, method: m.preset, workload: Workload(batch: 1, seq: 8))
        let inv = ParameterInventory(c)
        let p = Lowering.lower(model: m, method: m.preset, workload: Workload(batch: 1, seq: 8))
        let lerp = p.order.flatMap { p.segments[$0].kernels }.filter { $0.name.hasPrefix("adamw_lerp_m#") }
        XCTAssertEqual(lerp.reduce(0) { $0 + $1.elements }, inv.trainable, accuracy: 1)
        XCTAssertEqual(inv.trainable, inv.total)
    }

    func testRoutingDistributions() {
        let u = Routing.uniform.tokensPerExpert(tokens: 100, experts: 4, topK: 2)
        XCTAssertEqual(u, [50, 50, 50, 50])
        let z = Routing.zipf(1).tokensPerExpert(tokens: 100, experts: 4, topK: 2)
        XCTAssertEqual(z.reduce(0, +), 200, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(z.max()!, 100 + 1e-9, "a token picks an expert at most once")
        XCTAssertGreaterThan(z[0], z[3])
    }
}
