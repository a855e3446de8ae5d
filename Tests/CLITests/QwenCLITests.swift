import Foundation
import XCTest

/// The command line over the Qwen-1 models, gradient accumulation, GPTQ and the new trace sets.
final class QwenCLITests: XCTestCase {
    func ftsim(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try FTSimRunner.run(args) }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testDescribeQwen7B() throws {
        let r = try ftsim(["models", "--describe", "qwen-7b", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.err)
        let total = try XCTUnwrap(try json(r.out)["parameters_total"] as? Double)
        XCTAssertEqual(total / 7.72e9, 1, accuracy: 0.01)
    }

    func testSimulateReportsPerOptimizerStep() throws {
        let r = try ftsim([
            "simulate", "--model", "qwen-1.8b", "--gpu", "a100-sxm4-80gb", "--seq", "256", "--grad-accum", "4", "--quant", "gptq-int4",
            "--method", "qlora", "--format", "json",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try json(r.out)
        XCTAssertEqual(o["grad_accum"] as? Int, 4)
        let step = try XCTUnwrap(o["step_time_s"] as? Double)
        XCTAssertEqual(try XCTUnwrap(o["throughput_qps"] as? Double), 4 / step, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(o["tokens_per_s"] as? Double), 4 * 256 / step, accuracy: 1e-6)
    }

    func testBadFlagsAreOneLineErrors() throws {
        for (args, words) in [
            (["simulate", "--model", "qwen-1.8b", "--gpu", "a100-sxm4-80gb", "--grad-accum", "0"], ["--grad-accum", "0"]),
            (["simulate", "--model", "qwen-1.8b", "--gpu", "a100-sxm4-80gb", "--modules-to-save", "wte"], ["--modules-to-save", "wte"]),
        ] {
            let r = try ftsim(args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            let line = r.err.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertFalse(line.contains("\n"), line)
            for w in words { XCTAssertTrue(line.contains(w), line) }
        }
    }

    func testValidateRunsOnTheNewTraceSets() throws {
        let r = try ftsim(["validate", "--traces", "Traces/a100-40gb-paper", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.err)
        let groups = try XCTUnwrap(try json(r.out)["by_set"] as? [[String: Any]]).compactMap { $0["group"] as? String }
        XCTAssertEqual(Set(groups), ["a100-40gb-paper max_batch", "a100-40gb-paper throughput_qps"])
    }
}
