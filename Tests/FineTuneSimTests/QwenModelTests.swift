import XCTest

@testable import FineTuneSim

/// Qwen-1's architecture, GPTQ int4 storage, `modules_to_save` and mixed-precision full fine-tuning.
final class QwenModelTests: XCTestCase {
    func inventory(_ m: ModelSpec, _ method: FineTuneMethod) -> ParameterInventory {
        ParameterInventory(LoweringContext(model: m, method: method, workload: Workload(batch: 1, seq: 128)))
    }

    /// Parameter counts within 1% of the published ones.
    func testParameterCountsMatchPublished() throws {
        for (id, published) in [("qwen-1.8b", 1.84e9), ("qwen-7b", 7.72e9), ("qwen-14b", 14.2e9), ("qwen-72b", 72.3e9)] {
            let m = try model(id)
            XCTAssertEqual(inventory(m, m.preset).total / published, 1, accuracy: 0.01, id)
            XCTAssertEqual(m.attention?.fusedQKV, true)
            XCTAssertEqual(m.attention?.qkvBias, true)
            XCTAssertEqual(m.attention?.kvHeads, m.attention?.heads)
            XCTAssertFalse(m.tieEmbeddings)
        }
    }

    func testModelsDescribePrintsTheCount() throws {
        let m = try model("qwen-7b")
        let d = ModelDescription(model: m, method: m.preset)
        let text = d.table()
        XCTAssertTrue(text.contains("7.721 B"), text)
    }

    /// GPTQ: 0.5 B per weight plus an fp16 scale and a packed int4 zero per output per 128 inputs (and an
    /// int32 group index per input); the dequantize kernel is bounded by issue or bandwidth, never compute.
    func testGPTQWeightBytesAndDequantKernel() throws {
        let l = LinearLayer(
            name: "w1", inFeatures: 4096, outFeatures: 11008, kind: .gemm, bias: false, trained: false, quant: .gptqInt4,
            doubleQuant: false, loraRank: 0, trainableBytes: 4)
        let packed: Double = 4096 * 11008 / 2
        let constants: Double = 32 * 11008 * 2.5 + 4096 * 4
        XCTAssertEqual(l.baseWeightBytes, packed + constants, accuracy: 1)
        var b = SegmentBuilder(label: "t", layer: .mlp, phase: .forward)
        l.forward(&b, tokens: 512)
        // auto-gptq's PyTorch dequantize: full passes over the weight (shift to int32, cast, mask, zero, scale),
        // about 16.5 bytes of traffic per weight, all bandwidth-bound.
        let passes = b.segment.kernels.filter { $0.kind == .dequant && $0.flops == 4096 * 11008 }
        XCTAssertEqual(passes.count, 5)
        XCTAssertEqual(passes.reduce(0) { $0 + $1.bytes } / (4096 * 11008), 16.5, accuracy: 1e-9)
        let gpu = try catalog.gpu("a100-sxm4-80gb")
        for k in passes { XCTAssertEqual(CostModel(gpu: gpu, parameters: try catalog.calibration(nil)).time(k).bound, .memory) }
        // The int32 unpacking and its int8 cast are the largest transient (5 bytes per weight), before the
        // output (512 × 11008 fp16) is allocated.
        XCTAssertEqual(b.segment.memoryProfile.peak - b.segment.memoryProfile.net, 4096 * 11008 * 5 - 512 * 11008 * 2, accuracy: 1)
        let m = try model("qwen-7b")
        var q = m.preset
        q.kind = .qlora
        q.quant = .gptqInt4
        let gb = inventory(m, q).baseWeightBytes / 1e9
        XCTAssertEqual(gb, 5.9, accuracy: 0.3, "7.7 B parameters: 6.5 B in int4 plus fp16 embedding and head")
    }

    func testQuantFlagAndYAMLSelectGPTQWithFP16Compute() throws {
        let m = try model("qwen-7b")
        let q = try MethodOverrides(quant: .gptqInt4).apply(to: m.preset)
        XCTAssertEqual(q.quant, .gptqInt4)
        XCTAssertEqual(q.computeDType, .fp16)
        XCTAssertFalse(q.doubleQuant)
        let node = try ConfigNode.parse(yaml: "method: qlora\nquant: gptq-int4\n", source: "m.yaml")
        let y = try FineTuneMethod(node: node)
        XCTAssertEqual(y.quant, .gptqInt4)
        XCTAssertEqual(y.computeDType, .fp16)
        XCTAssertEqual(FineTuneMethod.Quantization(rawValue: "gptq-int4"), .gptqInt4)
    }

    /// modules_to_save: a trainable copy of the embedding and the LM head beside the frozen originals, in the
    /// base dtype, with gradients in that dtype and AdamW moments in the optimizer-state dtype.
    func testModulesToSave() throws {
        let m = try model("qwen-1.8b")
        let plain = inventory(m, m.preset)
        var method = m.preset
        method.modulesToSave = ["embed_tokens", "lm_head"]
        let saved = inventory(m, method)
        let vh = 151936.0 * 2048
        XCTAssertEqual(saved.savedModules, 2 * vh)
        XCTAssertEqual(saved.trainable, plain.trainable + 2 * vh)
        XCTAssertEqual(saved.baseWeightBytes - plain.baseWeightBytes, 2 * vh * 2, accuracy: 1)
        XCTAssertEqual(saved.gradientBytes - plain.gradientBytes, 2 * vh * 2, accuracy: 1)
        XCTAssertEqual(saved.optimizerStateBytes - plain.optimizerStateBytes, 2 * 2 * vh * 4, accuracy: 1)
        let p = Lowering.lower(model: m, method: method, workload: Workload(batch: 1, seq: 128))
        let kernels = p.segments.flatMap(\.kernels).map(\.name)
        XCTAssertTrue(kernels.contains("lm_head.wgrad"))
        XCTAssertTrue(kernels.contains("embedding_dense_bwd"))
        XCTAssertEqual(p.order.reduce(0.0) { $0 + p.segments[$1].memoryProfile.net }, 0, accuracy: 1)
        XCTAssertThrowsError(try MethodOverrides(modulesToSave: ["wte"]).apply(to: m.preset)) {
            XCTAssertTrue("\($0)".contains("--modules-to-save") && "\($0)".contains("wte"), "\($0)")
        }
        let node = try ConfigNode.parse(yaml: "method: lora\nmodules_to_save: [lm_head, norm]\n", source: "m.yaml")
        XCTAssertThrowsError(try FineTuneMethod(node: node)) {
            XCTAssertTrue("\($0)".contains("m.yaml") && "\($0)".contains("norm"), "\($0)")
        }
    }

    /// Mixed-precision full fine-tuning: fp32 weights, gradients and two moments (16 B per parameter),
    /// autocast casts of each weight to bf16 before its matmul.
    func testMixedPrecisionFullFineTuning() throws {
        let m = try model("qwen-1.8b")
        let method = TraceMethod.full.method(over: m.preset)
        let inv = inventory(m, method)
        XCTAssertEqual((inv.baseWeightBytes + inv.gradientBytes + inv.optimizerStateBytes) / inv.total, 16, accuracy: 0.01)
        let p = Lowering.lower(model: m, method: method, workload: Workload(batch: 1, seq: 128))
        XCTAssertTrue(p.segments.flatMap(\.kernels).contains { $0.name == "down_proj.weight_cast" })
        XCTAssertEqual(p.order.reduce(0.0) { $0 + p.segments[$1].memoryProfile.net }, 0, accuracy: 1)
        let bf16 = Lowering.lower(model: m, method: .full, workload: Workload(batch: 1, seq: 128))
        XCTAssertFalse(bf16.segments.flatMap(\.kernels).contains { $0.name.hasSuffix(".weight_cast") }, "pure bf16 casts nothing")
    }
}
