import XCTest

@testable import FineTuneSim

/// Gradient accumulation: N forward/backward passes, gradients allocated once and accumulated in place, one
/// optimizer step.
final class GradientAccumulationTests: XCTestCase {
    func testEightMicroBatchesCostEightPassesAndOneOptimizerStep() throws {
        let m = try model("qwen-1.8b")
        let sim = Simulator(gpu: try catalog.gpu("a100-sxm4-80gb"), parameters: try catalog.calibration(nil))
        let one = sim.simulate(model: m, method: m.preset, workload: Workload(batch: 1, seq: 512))
        let eight = sim.simulate(model: m, method: m.preset, workload: Workload(batch: 1, seq: 512, gradAccum: 8))
        let pass = one.phases[.forward]! + one.phases[.backward]!
        XCTAssertEqual(eight.phases[.optimizer]!, one.phases[.optimizer]!, accuracy: 1e-9, "one optimizer step")
        XCTAssertEqual(eight.phases[.forward]!, 8 * one.phases[.forward]!, accuracy: 0.02 * 8 * one.phases[.forward]!)
        // Later passes add each adapter gradient into the first's (a small in-place add per weight).
        XCTAssertEqual(eight.phases[.backward]!, 8 * one.phases[.backward]!, accuracy: 0.05 * 8 * one.phases[.backward]!)
        XCTAssertEqual(eight.stepTime, 8 * pass + one.phases[.optimizer]!, accuracy: 0.05 * eight.stepTime)
        XCTAssertEqual(eight.batch, 8, "throughput is per optimizer step: queries = batch × N")
        XCTAssertEqual(eight.throughput, 8 / eight.stepTime, accuracy: 1e-12)
        XCTAssertEqual(eight.tokens, 8 * 512)
        // Gradients are allocated once: the peak grows by at most one micro-batch's temporaries.
        XCTAssertLessThan(eight.memory.peakBytes, one.memory.peakBytes * 1.05)
    }

    /// The memory walk frees what it allocates under accumulation, for every method kind and model shape.
    func testMemoryWalkBalancesUnderAccumulation() throws {
        var cases: [(ModelSpec, FineTuneMethod)] = []
        for id in ["mixtral-8x7b", "blackmamba-2.8b", "llama-2-7b", "qwen-1.8b"] {
            let m = try model(id)
            cases.append((m, m.preset))
            cases.append((m, .full))
            cases.append((m, TraceMethod.full.method(over: m.preset)))
        }
        let q = try model("qwen-1.8b")
        for t in TraceMethod.allCases { cases.append((q, t.method(over: q.preset))) }
        var tied = try model("llama-2-7b")
        tied.tieEmbeddings = true
        var saveHead = TraceMethod.loraEmb.method(over: tied.preset)
        cases.append((tied, saveHead))
        saveHead.modulesToSave = ["embed_tokens"]
        cases.append((tied, saveHead))
        for (m, method) in cases {
            for n in [1, 3] {
                let p = Lowering.lower(
                    model: m, method: method, workload: Workload(batch: 2, seq: 64, gradAccum: n),
                    memory: LoweringMemory(routedScale: 1.7, routedRetained: 0.3))
                let net = p.order.reduce(0.0) { $0 + p.segments[$1].memoryProfile.net }
                XCTAssertEqual(net, 0, accuracy: 1, "\(m.id) \(method.kind) \(method.modulesToSave) accumulation \(n)")
                let beforeOptimizer = p.order.filter { p.segments[$0].label != "optimizer" }.reduce(0.0) {
                    $0 + p.segments[$1].memoryProfile.net
                }
                let inv = ParameterInventory(LoweringContext(model: m, method: method, workload: Workload(batch: 2, seq: 64)))
                let retained = beforeOptimizer - inv.gradientBytes
                XCTAssertGreaterThanOrEqual(retained, -1, "gradients allocated once: \(m.id) \(method.kind) \(n)")
            }
        }
    }

    func testGradAccumMustBePositive() {
        XCTAssertThrowsError(try Workload.validateGradAccum(0, source: "--grad-accum")) {
            XCTAssertEqual("\($0)", "--grad-accum: must be at least 1, got 0")
        }
        XCTAssertNoThrow(try Workload.validateGradAccum(8, source: "--grad-accum"))
    }
}
