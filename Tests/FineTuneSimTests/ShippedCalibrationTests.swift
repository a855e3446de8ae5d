import XCTest

@testable import FineTuneSim

/// The shipped calibration (fitted on every trace set: A40, A100-40GB, Qwen-1 on A100-80GB, Vidur kernels)
/// against the A40 traces: the in-sample figures the README states, held here.
final class ShippedCalibrationTests: XCTestCase {
    func shipped() throws -> CalibrationParameters {
        let p = try catalog.calibration()
        XCTAssertFalse(p.covariance.isEmpty, "Configs/calibration/default.yaml is a fit (make calibrate)")
        return p
    }

    func testThroughputAndPhaseErrorsOnTheA40() throws {
        let params = try shipped()
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper").filter {
            [.throughput, .forward, .backward].contains($0.quantity)
        }
        let v = Validation(measurements: ms, predictions: try Predictor(catalog: catalog).predict(ms, parameters: params))
        let mape = Dictionary(uniqueKeysWithValues: v.summaries { $0.quantity.rawValue }.map { ($0.group, $0.mapePct) })
        // In-sample. The throughput runs come out uniformly about 20% too fast (README: the 8% target is
        // not met); the profiled phases fit better.
        XCTAssertLessThanOrEqual(mape["throughput_qps"]!, 25, "throughput MAPE over every A40 point")
        XCTAssertLessThanOrEqual(mape["forward_s"]!, 16)
        XCTAssertLessThanOrEqual(mape["backward_s"]!, 12)
    }

    func testMaxBatchesOnTheA40() throws {
        let params = try shipped()
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper").filter { $0.quantity == .maxBatch }
        let pred = try Predictor(catalog: catalog).predict(ms, parameters: params)
        let errors = zip(ms, pred).map { abs($1 - $0.value) }
        XCTAssertEqual(ms.count, 12)
        // The paper's 12 A40 maxima: at most four off, each by one.
        XCTAssertGreaterThanOrEqual(errors.filter { $0 == 0 }.count, 8, "exact maxima")
        XCTAssertLessThanOrEqual(errors.max()!, 1)
    }

    /// The 95% max-batch ranges from the memory parameters' covariance hold the measured maxima (10 of 12;
    /// BlackMamba's dataset maxima contradict their own seq-128 maxima).
    func testMaxBatchRangesCoverTheA40Maxima() throws {
        let params = try shipped()
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper").filter { $0.quantity == .maxBatch }
        let mb = MaxBatch(parameters: params)
        var covered = 0
        for m in ms {
            let model = try Simulator.model(try catalog.model(m.model), topK: m.topK)
            let seq = try m.seq ?? catalog.dataset(m.dataset!).longestPadded
            let capacity = try catalog.gpu(m.gpu).memoryBytes
            let r = mb.range(model: model, method: model.preset, seq: seq, capacityBytes: capacity)
            let searched = mb.search(model: model, method: model.preset, seq: seq, capacityBytes: capacity)
            XCTAssertEqual(r.result, searched, "the range's point answer is the search's")
            let point = searched.maxBatch
            XCTAssertTrue(r.low <= point && point <= r.high, "\(m.model) \(r) \(point)")
            if Double(r.low) <= m.value && m.value <= Double(r.high) { covered += 1 }
        }
        XCTAssertGreaterThanOrEqual(covered, 10)
        // Without a fit there is no range.
        let m = try model("mixtral-8x7b", topK: 2)
        let hand = MaxBatch(parameters: CalibrationParameters()).range(model: m, method: m.preset, seq: 128, capacityBytes: 80e9)
        XCTAssertEqual(hand.low, hand.high)
    }

    /// Every parameter is inside its documented range, and none that the fit moved sits on a bound.
    func testParametersInsideTheirRanges() throws {
        let p = try shipped()
        for e in p.entries {
            let d = try XCTUnwrap(CalibrationParameters.definition(e.name))
            XCTAssertTrue(d.range.contains(e.value), "\(e.name) = \(e.value) outside \(d.range)")
            guard e.standardError != nil, e.name != "residual_rms" else { continue }
            let span = d.range.upperBound - d.range.lowerBound
            XCTAssertGreaterThan(e.value - d.range.lowerBound, 0.005 * span, "\(e.name) on its lower bound")
            XCTAssertGreaterThan(d.range.upperBound - e.value, 0.005 * span, "\(e.name) on its upper bound")
        }
        // The absorbers are gone.
        for gone in ["scan_efficiency", "step_overhead_s", "recompute_retained_fraction"] {
            XCTAssertNil(CalibrationParameters.definition(gone))
        }
    }

    /// Mamba-2.8B full fine-tuning on an A100 at 2,048 tokens: public runs reach 3,000-8,000 tokens/s.
    func testMambaThroughputOnAnA100() throws {
        let params = try shipped()
        let m = try HuggingFaceConfig.load(file: packageRoot + "/Tests/FineTuneSimTests/Fixtures/hf-configs/mamba-2.8b.json")
        let r = Simulator(gpu: try catalog.gpu("a100-sxm4-80gb"), parameters: params)
            .simulate(model: m, method: .full, workload: Workload(batch: 4, seq: 2048))
        let tokensPerSecond = r.tokens / r.stepTime
        XCTAssertGreaterThan(tokensPerSecond, 3000)
        XCTAssertLessThan(tokensPerSecond, 8000)
    }
}
