import XCTest

@testable import FineTuneSim

final class MemoryAndDatasetTests: XCTestCase {
    /// The padded-batch length expectation matches a brute-force enumeration on a small histogram.
    func testPaddedLengthExpectationMatchesBruteForce() {
        let d = Dataset(id: "t", name: "t", histogram: [(5, 2), (9, 1), (20, 3), (2000, 1)], cutoff: 24, padMultiple: 8)
        var queries: [Int] = []
        for (t, q) in d.histogram { queries += Array(repeating: t, count: q) }
        let batch = 3
        var total = 0.0, count = 0.0
        func rec(_ chosen: [Int]) {
            if chosen.count == batch {
                total += Double(d.padded(chosen.max()!))
                count += 1
                return
            }
            for q in queries { rec(chosen + [q]) }
        }
        rec([])
        XCTAssertEqual(d.expectedPaddedLength(batch: batch), total / count, accuracy: 1e-12)
        XCTAssertEqual(d.padded(2000), 24, "cut at the cutoff")
        XCTAssertEqual(d.padded(9), 16, "rounded up to the multiple")
        XCTAssertEqual(d.longestPadded, 24)
    }

    /// Resident memory components against hand calculations.
    func testResidentMemoryComponents() throws {
        let m = try model("mixtral-8x7b")
        let inv = ParameterInventory(LoweringContext(model: m, method: m.preset, workload: Workload(batch: 1, seq: 8)))
        // LoRA r=16 on w1, w2, w3 (4096↔14336) of 8 experts in 32 layers, plus the router (4096 → 8).
        let lora = 32.0 * (8 * 3 * 16 * (4096 + 14336) + 16 * (4096 + 8))
        XCTAssertEqual(inv.adapters, lora, accuracy: 1)
        XCTAssertEqual(inv.adapterBytes, lora * 4, accuracy: 1, "fp32 adapters")
        XCTAssertEqual(inv.optimizerStateBytes, 2 * lora * 4, accuracy: 1, "two fp32 AdamW moments")
        // NF4 expert weight: 0.5 B per value + 1 B per 64-value block + 4 B per 256 blocks.
        let e = 4096.0 * 14336
        let expert = e * 0.5 + e / 64 + e / 64 / 256 * 4
        XCTAssertEqual(
            MoELowering.expertLinears(
                LoweringContext(model: m, method: m.preset, workload: Workload(batch: 1, seq: 8)), intermediate: 14336)[0].baseWeightBytes,
            expert, accuracy: 1)
        // The paper reports 23.35 GB of NF4 base weights for Mixtral; ours also holds the bf16 embedding and
        // LM head (0.52 GB) and norms, which may or may not be in its figure.
        XCTAssertEqual(inv.baseWeightBytes / 1e9, 23.35, accuracy: 1.5)
        let bm = try model("blackmamba-2.8b")
        let full = ParameterInventory(LoweringContext(model: bm, method: bm.preset, workload: Workload(batch: 1, seq: 8)))
        XCTAssertEqual(full.baseWeightBytes, full.total * 2, accuracy: 1, "bf16 weights")
        XCTAssertEqual(full.optimizerStateBytes, full.total * 4, accuracy: 1, "two bf16 moments")
        XCTAssertEqual(full.baseWeightBytes / 1e9, 5.6, accuracy: 0.2, "the paper's 5.6 GB")
    }

    /// Checkpointing keeps less: a step without it needs more memory.
    func testCheckpointingSavesActivations() throws {
        let m = try model("mixtral-8x7b")
        var off = m.preset
        off.checkpointing = false
        let w = Workload(batch: 4, seq: 128)
        XCTAssertGreaterThan(
            Lowering.lower(model: m, method: off, workload: w).peakBytes, Lowering.lower(model: m, method: m.preset, workload: w).peakBytes)
    }

    /// The search finds the largest batch for any limit, not only powers of two.
    func testLargestBatchSearch() {
        XCTAssertEqual(MaxBatch.largest(limit: 100) { _ in true }, 100)
        XCTAssertEqual(MaxBatch.largest(limit: 100) { $0 <= 37 }, 37)
        XCTAssertEqual(MaxBatch.largest(limit: 100) { $0 <= 64 }, 64)
        XCTAssertEqual(MaxBatch.largest(limit: 1) { _ in true }, 1)
        XCTAssertEqual(MaxBatch.largest(limit: 100) { _ in false }, 0)
        var probes = 0
        XCTAssertEqual(
            MaxBatch.largest(limit: 65536) {
                probes += 1; return $0 <= 1000
            }, 1000)
        XCTAssertLessThanOrEqual(probes, 22, "doubling then bisection")
    }

    /// More GPU memory never lowers the largest batch; a longer sequence never raises it.
    func testMaxBatchMonotonicity() throws {
        let m = try model("blackmamba-2.8b")
        let mb = MaxBatch(parameters: CalibrationParameters())
        var previous = 0
        for gb in [24.0, 40, 48, 80] {
            let b = mb.search(model: m, method: m.preset, seq: 256, capacityBytes: gb * 1e9).maxBatch
            XCTAssertGreaterThanOrEqual(b, previous)
            previous = b
        }
        var last = Int.max
        for seq in [128, 256, 512, 1024] {
            let b = mb.search(model: m, method: m.preset, seq: seq, capacityBytes: 48e9).maxBatch
            XCTAssertLessThanOrEqual(b, last)
            last = b
        }
        XCTAssertEqual(
            mb.search(model: try model("mixtral-8x7b"), method: try model("mixtral-8x7b").preset, seq: 128, capacityBytes: 16e9).maxBatch,
            0, "Mixtral does not fit in 16 GB")
    }
}
