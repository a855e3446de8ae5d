import XCTest

@testable import FineTuneSim

/// Leave-one-set-out cross-validation: the folds, and the shipped figures (`make calibrate` writes them to
/// `Configs/calibration/cross-validation.csv` with `ftsim validate --cross-validate`; a full run takes minutes,
/// so the test holds the written figures to the targets, and checks they belong to the shipped calibration).
final class CrossValidationTests: XCTestCase {
    func testFoldsAreSetsOrGPUsOfMultiGPUSets() {
        func m(_ set: String, _ gpu: String) -> FineTuneSim.Measurement {
            FineTuneSim.Measurement(
                set: set, quantity: .throughput, model: "x", gpu: gpu, topK: 1, batch: 1, seq: 1, dataset: nil, value: 1)
        }
        let folds = CrossValidation.folds([m("b", "a40"), m("a", "h100"), m("a", "a40"), m("c", "a100"), m("b", "a40")])
        XCTAssertEqual(folds.map(\.name), ["a/a40", "a/h100", "b", "c"])
        XCTAssertTrue(folds[0].contains(m("a", "a40")))
        XCTAssertFalse(folds[0].contains(m("a", "h100")))
        XCTAssertTrue(folds[2].contains(m("b", "a40")))
    }

    struct Row {
        var fold: String, gpu: String, quantity: String, rows: Int, inSample: Double, heldOut: Double, exact: Int?
    }

    func shippedRows() throws -> [Row] {
        let table = try CSVTable(contentsOfFile: packageRoot + "/Configs/calibration/cross-validation.csv")
        return try table.rows.map { r in
            Row(
                fold: try table.string(r, "fold"), gpu: try table.string(r, "gpu"), quantity: try table.string(r, "quantity"),
                rows: try table.int(r, "rows"), inSample: try table.double(r, "in_sample_mape_pct"),
                heldOut: try table.double(r, "held_out_mape_pct"), exact: Int(try table.string(r, "held_out_exact")))
        }
    }

    /// The in-sample column is the shipped calibration's error: recomputed here, it matches the file.
    func testShippedFiguresBelongToTheShippedCalibration() throws {
        let params = try catalog.calibration()
        let rows = try shippedRows()
        let ms = try TraceSet.load(path: packageRoot + "/Traces/a100-40gb-paper")
        // The cross-validation predicts with the fit's quadrature of 6 dataset lengths (`--max-lengths 6`).
        let pred = try Predictor(catalog: catalog, maxLengths: 6).predict(ms, parameters: params)
        let v = Validation(measurements: ms, predictions: pred)
        for s in v.summaries(by: { $0.quantity.rawValue }) {
            let row = try XCTUnwrap(rows.first { $0.fold == "a100-40gb-paper" && $0.quantity == s.group })
            XCTAssertEqual(row.inSample, s.mapePct, accuracy: 0.01, s.group)
        }
    }

    /// The held-out figures the README reports, held here (they change only when `make calibrate` is rerun).
    func testHeldOutFigures() throws {
        let rows = try shippedRows()
        func heldOut(_ fold: String, _ quantity: String) throws -> Double {
            try XCTUnwrap(rows.first { $0.fold == fold && $0.quantity == quantity }, "\(fold) \(quantity)").heldOut
        }
        XCTAssertLessThanOrEqual(try heldOut("a100-40gb-paper", "throughput_qps"), 20)
        XCTAssertLessThanOrEqual(try heldOut("qwen1-a100-80gb", "peak_memory_gb"), 12)
        XCTAssertLessThanOrEqual(try heldOut("qwen1-a100-80gb", "step_s"), 33)
        for gpu in ["a40", "a100-sxm4-80gb", "h100-sxm5-80gb"] {
            XCTAssertLessThanOrEqual(try heldOut("vidur-kernels/\(gpu)", "op_s"), 33, gpu)
        }
        XCTAssertLessThanOrEqual(try heldOut("a40-paper", "throughput_qps"), 32)
    }
}
