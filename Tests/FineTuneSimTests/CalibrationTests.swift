import Fitting
import XCTest

@testable import FineTuneSim

final class CalibrationTests: XCTestCase {
    func testTraceSetReadsEveryPaperFile() throws {
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper")
        let byQuantity = Dictionary(grouping: ms, by: \.quantity).mapValues(\.count)
        XCTAssertEqual(byQuantity[.throughput], 54)
        XCTAssertEqual(byQuantity[.forward], 10)
        XCTAssertEqual(byQuantity[.maxBatch], 12)
        XCTAssertGreaterThan(byQuantity[.kernel] ?? 0, 50)
        XCTAssertTrue(ms.allSatisfy { $0.gpu == "a40" && $0.value > 0 })
    }

    func testParametersRoundTripThroughYAML() throws {
        var p = CalibrationParameters()
        p["gemm_efficiency"] = 0.61
        p.setStandardError("gemm_efficiency", 0.02)
        p.covariance = ["gemm_efficiency": ["gemm_efficiency": 0.0004]]
        let back = try CalibrationParameters(node: try ConfigNode.parse(yaml: p.yaml(), source: "t.yaml"))
        XCTAssertEqual(back["gemm_efficiency"], 0.61)
        XCTAssertEqual(back.entries.first { $0.name == "gemm_efficiency" }?.standardError, 0.02)
        XCTAssertEqual(back.covariance["gemm_efficiency"]?["gemm_efficiency"], 0.0004)
    }

    func testUnknownCalibrationKeyIsAnError() {
        XCTAssertThrowsError(
            try CalibrationParameters(node: try ConfigNode.parse(yaml: "parameters:\n  gemm_eficiency: 0.5\n", source: "c.yaml"))
        ) { e in
            XCTAssertTrue("\(e)".contains("c.yaml") && "\(e)".contains("gemm_eficiency"))
        }
    }

    /// Error bars: a parameter with variance widens the interval by exactly the propagated amount.
    func testUncertaintyPropagatesCovariance() {
        var p = CalibrationParameters()
        p["host_step_s"] = 1
        p.covariance = ["host_step_s": ["host_step_s": 0.04]]  // σ = 0.2 s
        let i = Uncertainty(parameters: p).interval { $0["host_step_s"] * 2 }
        XCTAssertEqual(i.value, 2)
        XCTAssertEqual(i.sigma, 0.4, accuracy: 1e-6)
        XCTAssertEqual(i.high - i.value, 1.959964 * 0.4, accuracy: 1e-4)
        XCTAssertFalse(Uncertainty(parameters: CalibrationParameters()).available)
    }

    /// The paper's analytical model fits its own A40 points. The paper reports RMSE below 0.8 queries/s;
    /// an unweighted least-squares fit with its fixed C3 gets 1.06 on BlackMamba/Commonsense15K (the
    /// measured curve flattens past batch 14, which a logarithm cannot follow), so the bound here is 1.2.
    func testPaperModelFits() throws {
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper")
        let paper = PaperModel(catalog: catalog)
        let tp = try paper.fitThroughput(ms)
        XCTAssertEqual(tp.count, 4)
        for f in tp { XCTAssertLessThan(f.rmse, 1.2, "\(f.model) \(f.dataset)") }
        let mb = try paper.fitMaxBatch(ms)
        XCTAssertEqual(mb.count, 2)
    }

    func testKernelQueries() throws {
        let gpu = try catalog.gpu("a40")
        let cost = CostModel(gpu: gpu, parameters: CalibrationParameters())
        let g = KernelQuery(op: .gemm, m: 8192, n: 8192, k: 8192).kernel
        XCTAssertEqual(g.flops, 2 * 8192.0 * 8192 * 8192)
        XCTAssertEqual(cost.time(g).bound, .compute)
        let d = KernelQuery(op: .dequantNF4, elements: 4096 * 14336).kernel
        var slow = CalibrationParameters()
        slow["dequant_elements_per_sm_cycle"] = 1
        XCTAssertEqual(CostModel(gpu: gpu, parameters: slow).time(d).bound, .issue, "NF4 decode at 1 value per SM cycle")
        slow["dequant_elements_per_sm_cycle"] = 8
        XCTAssertEqual(CostModel(gpu: gpu, parameters: slow).time(d).bound, .memory, "and at 8, bandwidth-bound")
        XCTAssertEqual(cost.time(KernelQuery(op: .add, elements: 1e9).kernel).bound, .memory)
        XCTAssertThrowsError(try KernelQuery(op: .gemm, m: 1, n: 0, k: 1).validate(source: "in.csv", row: "row 1"))
        // Every GPU answers.
        for id in catalog.ids("gpus") {
            let t = CostModel(gpu: try catalog.gpu(id), parameters: CalibrationParameters()).time(g).seconds
            XCTAssertTrue(t > 0 && t.isFinite, id)
        }
    }
}
