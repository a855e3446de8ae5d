import Foundation
import XCTest

/// `ftsim max-batch` and `ftsim cost` end to end: the JSON keys scripts read, the order of the rows, and the
/// answers to bad input.
final class MemoryCostCLITests: XCTestCase {
    func ftsim(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try FTSimRunner.run(args) }

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try ftsim(args)
        XCTAssertEqual(r.status, 0, r.err)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    func testMaxBatchJSON() throws {
        let o = try json([
            "max-batch", "--model", "mixtral-8x7b", "--gpu", "a40", "--top-k", "2", "--dataset", "math14k", "--format", "json",
        ])
        XCTAssertEqual(o["max_batch"] as? Int, 4, "the paper's A40 maximum")
        XCTAssertEqual(o["memory_gb"] as? Double, 48)
        let peak = try XCTUnwrap(o["peak_memory_gb"] as? Double)
        XCTAssertEqual(try XCTUnwrap(o["usable_memory_gb"] as? Double), 46_080 * 1_048_576 / 1e9, accuracy: 1e-9, "ECC on")
        XCTAssertLessThanOrEqual(peak, 46_080 * 1_048_576 / 1e9)
        XCTAssertEqual(o["seq"] as? Int, 1024, "the dataset's longest query after the cutoff")
        let low = try XCTUnwrap(o["max_batch_low"] as? Int), high = try XCTUnwrap(o["max_batch_high"] as? Int)
        XCTAssertTrue(low <= 4 && 4 <= high, "\(low)–\(high)")
    }

    func testSimulateShowsWhereThePeakMemoryGoes() throws {
        let r = try ftsim(["simulate", "--model", "blackmamba-2.8b", "--gpu", "a40", "--batch", "2", "--seq", "64"])
        XCTAssertEqual(r.status, 0, r.err)
        let rows = r.out.split(separator: "\n").filter { ["weights", "optimizer state", "framework"].contains(where: $0.hasPrefix) }
        XCTAssertEqual(rows.count, 3, r.out)
        XCTAssertTrue(r.out.contains("memory at peak ("), r.out)
        XCTAssertFalse(r.out.contains("adapters "), "full fine-tuning has no adapters")
        // QLoRA holds adapters; the table's figures are the JSON's.
        let args = ["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--batch", "1", "--seq", "32"]
        let table = try ftsim(args).out
        let o = try json(args + ["--format", "json"])
        let adapters = try XCTUnwrap((o["memory_gb"] as? [String: Any])?["adapters"] as? Double)
        let row = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("adapters ") })
        XCTAssertTrue(row.contains(String(format: "%.2f", adapters)), "\(row) vs \(adapters)")
    }

    func testNoFitIsAnAnswerWithTheShortfall() throws {
        let r = try ftsim(["max-batch", "--model", "mixtral-8x7b", "--gpu", "rtx-4090", "--seq", "128"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.out.split(separator: "\n").count, 1, r.out)
        XCTAssertTrue(r.out.contains("does not fit") && r.out.contains("GB more"), r.out)
    }

    func testCostRowsCheapestFirst() throws {
        let o = try json([
            "cost", "--model", "blackmamba-2.8b", "--dataset", "commonsense15k", "--top-k", "2", "--gpu", "a40,h100-sxm5-80gb,rtx-4090",
            "--price", "a40=0.79", "--price", "h100-sxm5-80gb=2.10", "--queries", "1000", "--epochs", "2", "--format", "json",
        ])
        let rows = try XCTUnwrap(o["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        let usd = rows.compactMap { $0["usd"] as? Double }
        XCTAssertEqual(usd.count, 2, "BlackMamba full fine-tuning does not fit in a 24 GB RTX 4090")
        XCTAssertEqual(usd, usd.sorted(), "cheapest first")
        XCTAssertEqual(rows.last?["gpu"] as? String, "rtx-4090", "what does not fit comes last")
        XCTAssertEqual(rows.last?["fits"] as? Bool, false)
        for r in rows where r["fits"] as? Bool == true {
            for key in ["gpu", "max_batch", "throughput_qps", "hours", "usd_per_hour", "usd"] { XCTAssertNotNil(r[key], key) }
            let hours = try XCTUnwrap(r["hours"] as? Double), qps = try XCTUnwrap(r["throughput_qps"] as? Double)
            XCTAssertEqual(hours, 2000 / qps / 3600, accuracy: 1e-9 * hours, "queries × epochs / throughput")
            XCTAssertEqual(try XCTUnwrap(r["usd"] as? Double), hours * (r["usd_per_hour"] as! Double), accuracy: 1e-9)
        }
        XCTAssertEqual(rows.first { $0["gpu"] as? String == "a40" }?["usd_per_hour"] as? Double, 0.79, "--price overrides")
    }

    func testCostBadInput() throws {
        let base = ["cost", "--model", "mixtral-8x7b", "--dataset", "math14k", "--gpu", "a40"]
        let cases: [([String], String)] = [
            (base + ["--price", "a40=-1"], "must be positive"),
            (base + ["--price", "a4O=0.8"], "'a4O'"),
            (base + ["--price", "a40=cheap"], "not a number"),
            (base + ["--queries", "0"], "--queries"),
            (base + ["--epochs", "0"], "--epochs"),
            (["cost", "--model", "mixtral-8x7b", "--dataset", "math14k", "--gpu", "a40,nope"], "unknown GPU 'nope'"),
        ]
        for (args, needle) in cases {
            let r = try ftsim(args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(needle), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
    }
}
