import XCTest

@testable import FineTuneSim

/// The shipped calibration (fitted on the A40 traces alone) against those traces: the figures the README
/// states, held here.
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
        XCTAssertLessThanOrEqual(mape["throughput_qps"]!, 10, "throughput MAPE over every A40 point")
        XCTAssertLessThanOrEqual(mape["forward_s"]!, 20)
        XCTAssertLessThanOrEqual(mape["backward_s"]!, 20)
    }

    func testMaxBatchesOnTheA40() throws {
        let params = try shipped()
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a40-paper").filter { $0.quantity == .maxBatch }
        let pred = try Predictor(catalog: catalog).predict(ms, parameters: params)
        let errors = zip(ms, pred).map { abs($1 - $0.value) }
        XCTAssertEqual(ms.count, 12)
        // The paper's 12 A40 maxima: at most three off, each by one.
        XCTAssertGreaterThanOrEqual(errors.filter { $0 == 0 }.count, 9, "exact maxima")
        XCTAssertLessThanOrEqual(errors.max()!, 1)
    }

    /// The 95% max-batch ranges from the memory parameters' covariance hold the measured maxima (11 of 12;
    /// BlackMamba top-8 on Commonsense15K contradicts its own seq-128 maximum).
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
        XCTAssertGreaterThanOrEqual(covered, 11)
        // Without a fit there is no range.
        let m = try model("mixtral-8x7b", topK: 2)
        let hand = MaxBatch(parameters: CalibrationParameters()).range(model: m, method: m.preset, seq: 128, capacityBytes: 80e9)
        XCTAssertEqual(hand.low, hand.high)
    }
}
