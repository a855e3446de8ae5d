import XCTest

@testable import FineTuneSim

/// The Qwen-1 table's reader (seconds per optimizer step and peak memory, one method per row) and the
/// prediction of both quantities.
final class QwenTraceTests: XCTestCase {
    let header = "model,method,gpu,gpus,seq,micro_batch,grad_accum,memory_g,seconds_per_optimizer_step\n"

    /// Writes a CSV to a fresh temporary folder and loads it.
    func load(_ rows: String) throws -> [FineTuneSim.Measurement] {
        let dir = Foundation.FileManager.default.temporaryDirectory.appendingPathComponent("ftsim-qwen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("steps.csv").path
        try (header + rows).write(toFile: file, atomically: true, encoding: .utf8)
        return try TraceSet.load(path: file)
    }

    func testGoodRowsGiveStepTimeAndPeakMemory() throws {
        let ms = try load("qwen-7b,lora_emb,a100-sxm4-80gb,1,1024,1,8,35.2,2.9\nqwen-1.8b,full,a100-sxm4-80gb,1,256,2,4,43.5,2.1\n")
        XCTAssertEqual(ms.count, 4)
        XCTAssertEqual(ms.map(\.quantity), [.stepTime, .peakMemory, .stepTime, .peakMemory])
        XCTAssertEqual(ms[0].value, 2.9)
        XCTAssertEqual(ms[1].value, 35.2 * 1_073_741_824 / 1e9, accuracy: 1e-9, "the table's GB are binary, converted to 10^9 bytes")
        XCTAssertEqual(ms[0].method, .loraEmb)
        XCTAssertEqual(ms[0].gradAccum, 8)
        XCTAssertEqual(ms[0].seq, 1024)
        XCTAssertEqual(ms[0].batch, 1)
        XCTAssertEqual(ms[0].topK, 0)
        XCTAssertEqual(ms[2].method, .full)
        XCTAssertEqual(ms[2].batch, 2)
        XCTAssertEqual(ms[2].gradAccum, 4)
        XCTAssertTrue(ms[0].label.contains("lora_emb") && ms[0].label.contains("b1×8"), ms[0].label)
    }

    func testShippedTableLoads() throws {
        let ms = try TraceSet.load(path: packageRoot + "/Traces/qwen1-a100-80gb")
        XCTAssertEqual(ms.filter { $0.quantity == .stepTime }.count, 66)
        XCTAssertEqual(ms.filter { $0.quantity == .peakMemory }.count, 66)
        XCTAssertEqual(Set(ms.compactMap(\.method)), Set(TraceMethod.allCases))
        XCTAssertTrue(ms.allSatisfy { $0.gradAccum == 8 && $0.batch == 1 && $0.gpu == "a100-sxm4-80gb" })
        let paper = try TraceSet.load(path: packageRoot + "/Traces/a100-40gb-paper")
        XCTAssertEqual(paper.filter { $0.quantity == .throughput }.count, 4)
        XCTAssertEqual(paper.filter { $0.quantity == .maxBatch }.count, 2)
    }

    func assertRowError(_ row: String, mentions words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(row), file: file, line: line) { e in
            let text = "\(e)"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
            XCTAssertTrue(text.contains("steps.csv"), text, file: file, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "\(w) in: \(text)", file: file, line: line) }
        }
    }

    func testBadRowsAreOneLineErrors() {
        assertRowError("qwen-7b,dora,a100-sxm4-80gb,1,1024,1,8,35.2,2.9\n", mentions: ["method", "dora"])
        assertRowError("qwen-7b,lora,a100-sxm4-80gb,2,1024,1,8,35.2,2.9\n", mentions: ["gpus", "2"])
        assertRowError("qwen-7b,lora,a100-sxm4-80gb,1,-256,1,8,35.2,2.9\n", mentions: ["seq", "-256"])
        assertRowError("qwen-7b,lora,a100-sxm4-80gb,1,256,1,0,35.2,2.9\n", mentions: ["grad_accum", "0"])
        assertRowError("qwen-7b,lora,a100-sxm4-80gb,1,256,1,8,-1,2.9\n", mentions: ["memory_g", "-1"])
        assertRowError("qwen-7b,lora,a100-sxm4-80gb,1,256,1,8,35.2,x\n", mentions: ["seconds_per_optimizer_step", "x"])
    }

    func testUnknownModelOrGPUIsAnErrorWhenPredicting() throws {
        let predictor = Predictor(catalog: catalog)
        for row in ["qwen-9b,lora,a100-sxm4-80gb,1,256,1,8,35.2,2.9\n", "qwen-7b,lora,a100-sxm9,1,256,1,8,35.2,2.9\n"] {
            let ms = try load(row)
            XCTAssertThrowsError(try predictor.predict(ms, parameters: CalibrationParameters())) { e in
                XCTAssertFalse("\(e)".contains("\n"))
                XCTAssertTrue("\(e)".contains("qwen-9b") || "\(e)".contains("a100-sxm9"), "\(e)")
            }
        }
    }

    /// The row's method is the one simulated: its step time is the engine's accumulated step, its peak
    /// memory the walk's peak in GB; the methods order as the table does.
    func testPredictorUsesTheRowsMethod() throws {
        let ms = try load(
            "qwen-1.8b,lora,a100-sxm4-80gb,1,512,1,8,7.4,1.0\nqwen-1.8b,lora_emb,a100-sxm4-80gb,1,512,1,8,14.0,1.0\n"
                + "qwen-1.8b,qlora_gptq_int4,a100-sxm4-80gb,1,512,1,8,6.0,1.4\nqwen-1.8b,full,a100-sxm4-80gb,1,512,1,8,43.5,2.2\n")
        let params = try catalog.calibration(nil)
        let p = try Predictor(catalog: catalog).predict(ms, parameters: params)
        let m = try model("qwen-1.8b")
        let gpu = try catalog.gpu("a100-sxm4-80gb")
        let direct = Simulator(gpu: gpu, parameters: params).simulate(
            model: m, method: TraceMethod.loraEmb.method(over: m.preset), workload: Workload(batch: 1, seq: 512, gradAccum: 8))
        XCTAssertEqual(p[2], direct.stepTime, accuracy: 1e-12)
        XCTAssertEqual(p[3], direct.memory.peakBytes / 1e9, accuracy: 1e-9)
        let memory = [p[1], p[3], p[5], p[7]]  // lora, lora_emb, gptq, full
        XCTAssertLessThan(memory[2], memory[0], "int4 weights take less than bf16")
        XCTAssertLessThan(memory[0], memory[1], "trained embedding and head copies take more")
        XCTAssertLessThan(memory[1], memory[3], "16 bytes per parameter take the most")
    }

    func testMethodMapping() throws {
        let preset = try model("qwen-7b").preset
        XCTAssertEqual(preset.loraRank, 64)
        XCTAssertEqual(preset.loraAlpha, 16)
        let gptq = TraceMethod.qloraGPTQInt4.method(over: preset)
        XCTAssertEqual(gptq.kind, .qlora)
        XCTAssertEqual(gptq.quant, .gptqInt4)
        XCTAssertEqual(gptq.computeDType, .fp16)
        XCTAssertEqual(gptq.loraRank, 64)
        XCTAssertEqual(TraceMethod.loraEmb.method(over: preset).modulesToSave, ["embed_tokens", "lm_head"])
        let full = TraceMethod.full.method(over: preset)
        XCTAssertEqual(full.kind, .full)
        XCTAssertEqual(full.trainableDType, .fp32)
        XCTAssertEqual(full.optimizerStateDType, .fp32)
        XCTAssertEqual(full.computeDType, .bf16)
        XCTAssertTrue(full.checkpointing)
    }
}
