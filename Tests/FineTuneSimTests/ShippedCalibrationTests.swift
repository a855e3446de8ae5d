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
}
