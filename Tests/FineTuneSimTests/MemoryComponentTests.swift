import XCTest

@testable import FineTuneSim

/// Each component of the memory walk against a hand calculation, and the walk's bookkeeping.
final class MemoryComponentTests: XCTestCase {
    func lower(_ m: ModelSpec, _ method: FineTuneMethod, batch: Int, seq: Int, memory: LoweringMemory = LoweringMemory()) -> Program {
        Lowering.lower(model: m, method: method, workload: Workload(batch: batch, seq: seq), memory: memory)
    }

    func segment(_ p: Program, _ label: String) throws -> Segment {
        try XCTUnwrap(p.segments.first { $0.label == label }, label)
    }

    /// Every allocation is freed: a step ends with the memory it started with, whatever the model, the
    /// method and the memory parameters (a leak or a double free would drift the peak with the batch).
    func testEveryStepFreesWhatItAllocates() throws {
        let methods = [
            FineTuneMethod.full, FineTuneMethod(kind: .lora, checkpointing: true), FineTuneMethod(kind: .qlora, quant: .nf4),
            FineTuneMethod(kind: .qlora, quant: .int8, checkpointing: true),
            FineTuneMethod(kind: .qlora, quant: .gptqInt4, computeDType: .fp16, checkpointing: true),
        ]
        var models: [ModelSpec] = []
        for id in ["mixtral-8x7b", "blackmamba-2.8b", "llama-2-7b"] { models.append(try model(id)) }
        // Dense GELU and GeGLU blocks, fused and not, and tied embeddings.
        for (activation, fused) in [(FFNActivation.gelu, false), (.geglu, false), (.geglu, true)] {
            var m = try model("llama-2-7b")
            m.mlp!.activation = activation
            m.mlp!.fusedGateUp = fused
            m.tieEmbeddings = activation == .gelu
            models.append(m)
        }
        for m in models {
            for method in [m.preset] + methods {
                for (b, s) in [(1, 128), (3, 512)] {
                    let p = lower(m, method, batch: b, seq: s, memory: LoweringMemory(routedScale: 1.7, routedRetained: 0.3))
                    let net = p.order.reduce(0.0) { $0 + p.segments[$1].memoryProfile.net }
                    XCTAssertEqual(net, 0, accuracy: 1, "\(m.id) \(m.mlp?.activation.rawValue ?? "") \(method.kind) batch \(b) seq \(s)")
                }
            }
        }
    }

    /// Gradients of what is trained live until the optimizer step: every parameter's in bf16 under full
    /// fine-tuning, only the adapters' (fp32) under QLoRA.
    func testGradientsOfWhatIsTrained() throws {
        func levelBeforeOptimizer(_ p: Program) -> Double {
            p.order.filter { p.segments[$0].label != "optimizer" }.reduce(0.0) { $0 + p.segments[$1].memoryProfile.net }
        }
        let bm = try model("blackmamba-2.8b")
        let full = ParameterInventory(LoweringContext(model: bm, method: bm.preset, workload: Workload(batch: 1, seq: 64)))
        XCTAssertEqual(full.gradientBytes, full.total * 2, accuracy: 1)
        XCTAssertEqual(levelBeforeOptimizer(lower(bm, bm.preset, batch: 2, seq: 64)), full.gradientBytes, accuracy: 1)
        let mx = try model("mixtral-8x7b")
        let q = ParameterInventory(LoweringContext(model: mx, method: mx.preset, workload: Workload(batch: 1, seq: 64)))
        XCTAssertEqual(q.gradientBytes, q.adapters * 4, accuracy: 1)
        XCTAssertEqual(levelBeforeOptimizer(lower(mx, mx.preset, batch: 2, seq: 64)), q.gradientBytes, accuracy: 1)
    }

    /// The logits and loss over the vocabulary: bf16 logits (2 B), their fp32 copy, the shifted copy and the
    /// log-softmax (4 B each) after an eager RMSNorm that keeps 8 B per hidden value (fp32 input, bf16
    /// normalized and weighted outputs). Once the forward returns, the trainer holds only the loss: autograd
    /// keeps the log-softmax output (4 B) for its backward.
    func testLogitsAndLossTransient() throws {
        let m = try model("llama-2-7b")
        let t = 2.0 * 96, h = 4096.0, v = 32000.0
        let head = try segment(lower(m, m.preset, batch: 2, seq: 96), "head.forward").memoryProfile
        XCTAssertEqual(head.peak, 8 * t * h + 12 * t * v, accuracy: 1)
        XCTAssertEqual(head.net, 8 * t * h + 4 * t * v, accuracy: 1, "the log-probabilities stay for backward")
    }

    /// A quantized weight is expanded to a bf16 copy for its matmul and freed after it; the copy is weight-sized
    /// however the routed-token buffers around it are scaled.
    func testDequantizedWeightTransient() {
        let l = LinearLayer(
            name: "w1", inFeatures: 4096, outFeatures: 14336, kind: .expertFFN, bias: false, trained: false, quant: .nf4, doubleQuant: true,
            loraRank: 0, trainableBytes: 4)
        var b = SegmentBuilder(label: "t", layer: .moe, phase: .forward)
        b.memoryScale = 2
        l.forward(&b, tokens: 100)
        let p = b.segment.memoryProfile
        XCTAssertEqual(p.peak, 4096 * 14336 * 2 + 2 * 100 * 14336 * 2, accuracy: 1)
        XCTAssertEqual(p.net, 2 * 100 * 14336 * 2, accuracy: 1)
    }

    /// Gradient checkpointing keeps one hidden state per decoder layer (a checkpoint unit: attention and its
    /// feed-forward) through the forward pass, and the recompute allocates what the un-checkpointed forward keeps.
    func testCheckpointingKeepsOneHiddenStatePerDecoderLayer() throws {
        let m = try model("mixtral-8x7b")
        let (b, s) = (2, 128)
        let p = lower(m, m.preset, batch: b, seq: s)
        let layers = p.order.map { p.segments[$0] }.filter { $0.kernels.first?.phase == .forward && !$0.label.hasPrefix("head") }
        let forwardNet = layers.filter { !$0.label.hasPrefix("embedding") }.reduce(0.0) { $0 + $1.memoryProfile.net }
        XCTAssertEqual(forwardNet, Double(m.sublayers.count / 2 * b * s) * 4096 * 2, accuracy: 1)
        var plain = m.preset
        plain.checkpointing = false
        let q = lower(m, plain, batch: b, seq: s)
        for k in ["attention", "moe"] {
            XCTAssertEqual(
                try segment(p, "\(k).recompute").memoryProfile.net, try segment(q, "\(k).forward").memoryProfile.net, accuracy: 1, k)
        }
    }

    /// FlashAttention keeps no s × s matrix: the attention block's saved bytes grow linearly with the
    /// sequence; eager attention adds the scores and probabilities (bf16, per head).
    func testFlashAttentionKeepsNoScoreMatrix() throws {
        let m = try model("llama-2-7b")
        var method = m.preset
        method.checkpointing = false
        func saved(_ seq: Int) throws -> Double { try segment(lower(m, method, batch: 1, seq: seq), "attention.forward").memoryProfile.net }
        let (flash128, flash256) = (try saved(128), try saved(256))
        XCTAssertEqual(flash256, 2 * flash128, accuracy: 1)
        method.flashAttention = false
        let (eager128, eager256) = (try saved(128), try saved(256))
        let scores: Double = 256 * 256 - 2 * 128 * 128  // score elements per head beyond linear growth
        XCTAssertEqual(eager256 - 2 * eager128, 2 * 32 * 2 * scores, accuracy: 1)
    }

    /// Usable capacity: the datasheet's binary gigabytes, less ECC's sixteenth on data-center GDDR6 parts.
    func testUsableCapacity() throws {
        XCTAssertEqual(try catalog.gpu("a100-sxm4-80gb").memoryBytes, 81_920 * 1_048_576, accuracy: 1)
        XCTAssertEqual(try catalog.gpu("a40").memoryBytes, 46_080 * 1_048_576, accuracy: 1, "nvidia-smi: 46,068 MiB")
        XCTAssertEqual(try catalog.gpu("rtx-4090").memoryBytes, 24_576 * 1_048_576, accuracy: 1, "GDDR6X, ECC off")
        let node = try ConfigNode.parse(
            yaml: "sms: 1\nboost_mhz: 1\nbf16_tensor_tflops: 1\nfp32_tflops: 1\nmemory_gb: 8\nbandwidth_gbs: 1\necc_reserved_fraction: 1\n",
            source: "g.yaml")
        XCTAssertThrowsError(try GPUSpec(node: node, id: "g")) { XCTAssertTrue("\($0)".contains("ecc_reserved_fraction"), "\($0)") }
    }

    /// The framework's fixed overheads and the allocator multiplier come from the calibration file.
    func testFrameworkOverheads() throws {
        var params = CalibrationParameters()
        params["context_gb"] = 0.7
        params["reserved_gb"] = 0.3
        params["activation_overhead"] = 1.25
        let m = try model("llama-2-7b")
        let p = lower(m, m.preset, batch: 2, seq: 128)
        let e = MemoryEstimate(program: p, parameters: params)
        XCTAssertEqual(e.fixedBytes, 1e9, accuracy: 1)
        XCTAssertEqual(e.peakBytes, p.residentBytes + 1.25 * (p.peakBytes - p.residentBytes) + 1e9, accuracy: 1)
    }
}
