import Foundation
import XCTest

@testable import FineTuneSim

/// Chrome trace export, step charts and sweeps (sharding, resume, monotonicity).
final class StudiesTests: XCTestCase {
    func testChromeTraceHasEveryKernelAndACounter() throws {
        let m = try model("blackmamba-2.8b")
        let sim = Simulator(gpu: try catalog.gpu("a40"), parameters: try catalog.calibration())
        let run = sim.run(model: m, method: m.preset, workload: Workload(batch: 2, seq: 64), recordTimeline: true)
        let text = try XCTUnwrap(ChromeTrace(run: run)).rendered()
        XCTAssertEqual(text, ChromeTrace(run: run)!.rendered(), "deterministic")
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(o["displayTimeUnit"] as? String, "ms")
        let events = try XCTUnwrap(o["traceEvents"] as? [[String: Any]])
        let kernels = events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == 1 }
        XCTAssertEqual(kernels.count, run.program.kernelCount)
        for e in kernels.prefix(50) {
            let args = try XCTUnwrap(e["args"] as? [String: Any])
            for k in ["kind", "layer", "phase", "flops", "bytes"] { XCTAssertNotNil(args[k], k) }
            XCTAssertEqual(e["cat"] as? String, args["kind"] as? String)
        }
        var last: [Int: Double] = [:]
        for e in events where e["ph"] as? String != "M" {
            let tid = try XCTUnwrap(e["tid"] as? Int), ts = try XCTUnwrap((e["ts"] as? NSNumber)?.doubleValue)
            let track = e["ph"] as? String == "C" ? 99 : tid
            XCTAssertGreaterThanOrEqual(ts, last[track] ?? 0, "ts non-decreasing on track \(track)")
            last[track] = ts
        }
        let counters = events.filter { $0["ph"] as? String == "C" && $0["name"] as? String == "memory" }
        XCTAssertGreaterThan(counters.count, 1)
        XCTAssertNotNil((counters[0]["args"] as? [String: Any])?["GB"])
        let names = events.filter { $0["ph"] as? String == "M" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        XCTAssertTrue(Set(names).isSuperset(of: ["FineTuneSim step", "host", "GPU stream 0"]))
        XCTAssertLessThanOrEqual(
            kernels.map { ($0["ts"] as! NSNumber).doubleValue + ($0["dur"] as! NSNumber).doubleValue }.max()!, run.report.stepTime * 1e6 + 1
        )
    }

    func testStepChartsCombineTwoCharts() throws {
        let m = try model("mixtral-8x7b")
        let gpu = try catalog.gpu("a40")
        let r = Simulator(gpu: gpu, parameters: try catalog.calibration()).simulate(
            model: m, method: m.preset, workload: Workload(batch: 1, seq: 64))
        let charts = StepCharts(report: r, gpu: gpu, title: "t")
        XCTAssertEqual(charts.breakdown.categories, ["forward", "backward", "optimizer", "host overhead"])
        XCTAssertTrue(charts.breakdown.segments.contains { $0.name == "moe" })
        XCTAssertFalse(charts.roofline.points.isEmpty)
        let svg = charts.combinedSVG
        XCTAssertEqual(svg.components(separatedBy: "<svg ").count - 1, 3)
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "</svg>").count - 1, 3)
    }

    // MARK: - Sweeps

    static let sweepDir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ftsim-sweep-\(ProcessInfo.processInfo.processIdentifier)")

    /// 2 GPUs × top-k 2,8 × batches 1…5 × bandwidth 0.5,1,2 = 60 configurations (BlackMamba, seq 64: fast in debug).
    func axes() -> SweepAxes {
        var a = SweepAxes(models: ["blackmamba-2.8b"], gpus: ["a40", "h100-sxm5-80gb"])
        a.topKs = [2, 8]
        a.batches = [1, 2, 3, 4, 5]
        a.shapes = [.seq(64)]
        a.bandwidthScales = [0.5, 1, 2]
        return a
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testSweepShardsResumeAndMonotoneBandwidth() throws {
        try FileManager.default.createDirectory(at: Self.sweepDir, withIntermediateDirectories: true)
        let sweep = try Sweep(axes: axes(), catalog: catalog, parameters: try catalog.calibration(), prices: ["a40": 0.5])
        let full = Self.sweepDir.appendingPathComponent("full.csv").path
        let r = try SweepOutput(sweep: sweep, path: full, format: .csv).run(jobs: 2)
        XCTAssertEqual(r.written, 60)
        let all = try lines(full)
        XCTAssertEqual(all.count, 61)
        XCTAssertEqual(all[0], SweepRow.columns.joined(separator: ","))
        XCTAssertEqual(all.dropFirst().map { Int($0.split(separator: ",")[0])! }, Array(0..<60), "index order")

        // More bandwidth never makes a step slower.
        let cols = SweepRow.columns
        let bw = cols.firstIndex(of: "bandwidth_scale")!, st = cols.firstIndex(of: "step_time_s")!
        var groups: [String: [(Double, Double)]] = [:]
        for l in all.dropFirst() {
            let f = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = (1..<12).filter { $0 != bw }.map { f[$0] }.joined(separator: "|")
            groups[key, default: []].append((Double(f[bw])!, Double(f[st])!))
        }
        XCTAssertEqual(groups.count, 20)
        for (k, g) in groups {
            let s = g.sorted { $0.0 < $1.0 }
            for i in 1..<s.count { XCTAssertLessThanOrEqual(s[i].1, s[i - 1].1 * (1 + 1e-12), k) }
        }
        // Prices: only the a40 has one; max_batch is positive and at least the batch when it fits.
        let price = cols.firstIndex(of: "usd_per_million_tokens")!, gpuCol = cols.firstIndex(of: "gpu")!
        let fitsCol = cols.firstIndex(of: "fits")!, maxB = cols.firstIndex(of: "max_batch")!, batchCol = cols.firstIndex(of: "batch")!
        for l in all.dropFirst() {
            let f = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f[price].isEmpty, f[gpuCol] != "a40")
            if f[fitsCol] == "true" { XCTAssertGreaterThanOrEqual(Int(f[maxB])!, Int(f[batchCol])!) }
        }

        // Shards 1/2 + 2/2 are the full sweep.
        var shardLines: [String] = []
        for i in 1...2 {
            let p = Self.sweepDir.appendingPathComponent("shard\(i).csv").path
            try SweepOutput(sweep: sweep, path: p, format: .csv).run(jobs: 2, shard: (i, 2))
            let ls = try lines(p)
            XCTAssertEqual(ls[0], all[0])
            shardLines += ls.dropFirst()
        }
        XCTAssertEqual(shardLines.count, 60)
        XCTAssertEqual(Set(shardLines), Set(all.dropFirst()))

        // Resume after an interrupt: 25 lines plus half a line.
        let text = try String(contentsOfFile: full, encoding: .utf8)
        let partial = all.prefix(25).joined(separator: "\n") + "\n" + all[25].prefix(all[25].count / 2)
        let resumed = Self.sweepDir.appendingPathComponent("resumed.csv").path
        try partial.write(toFile: resumed, atomically: true, encoding: .utf8)
        let rr = try SweepOutput(sweep: sweep, path: resumed, format: .csv).run(jobs: 2, resume: true)
        XCTAssertEqual(rr.skipped, 24)
        XCTAssertEqual(rr.written, 36)
        XCTAssertEqual(try String(contentsOfFile: resumed, encoding: .utf8), text)
        // Resuming a complete file writes nothing.
        XCTAssertEqual(try SweepOutput(sweep: sweep, path: resumed, format: .csv).run(jobs: 1, resume: true).written, 0)
        XCTAssertEqual(try String(contentsOfFile: resumed, encoding: .utf8), text)
    }

    func testSweepJSONLinesResumeAndBadInput() throws {
        try FileManager.default.createDirectory(at: Self.sweepDir, withIntermediateDirectories: true)
        var a = axes()
        a.gpus = ["a40"]
        a.topKs = [2]
        a.bandwidthScales = [1]
        let sweep = try Sweep(axes: a, catalog: catalog, parameters: try catalog.calibration())
        let p = Self.sweepDir.appendingPathComponent("s.jsonl").path
        try SweepOutput(sweep: sweep, path: p, format: .jsonl).run(jobs: 1)
        let full = try String(contentsOfFile: p, encoding: .utf8)
        let ls = try lines(p)
        XCTAssertEqual(ls.count, 5)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ls[0].utf8)) as? [String: Any])
        XCTAssertEqual(o["config_index"] as? Int, 0)
        XCTAssertTrue(o["usd_per_million_tokens"] is NSNull)
        try (ls[0] + "\n" + ls[1].prefix(10)).write(toFile: p, atomically: true, encoding: .utf8)
        try SweepOutput(sweep: sweep, path: p, format: .jsonl).run(jobs: 2, resume: true)
        XCTAssertEqual(try String(contentsOfFile: p, encoding: .utf8), full)

        for s in ["3/2", "0/2", "1", "a/b"] { XCTAssertThrowsError(try SweepAxes.parseShard(s), s) }
        var bad = a
        bad.bandwidthScales = [0]
        XCTAssertThrowsError(try Sweep(axes: bad, catalog: catalog, parameters: CalibrationParameters()))
        XCTAssertThrowsError(try SweepOutput(sweep: sweep, path: "/nonexistent-dir/x.csv", format: .csv).run(jobs: 1)) {
            XCTAssertTrue("\($0)".contains("--out"), "\($0)")
        }
    }
}

extension StudiesTests {
    /// `--max-lengths`: a quantile quadrature over a few padded lengths stays within 1% of the exact
    /// expectation over every length.
    func testSweepLengthQuadratureIsCloseToExact() throws {
        var a = axes()
        a.gpus = ["a40"]
        a.topKs = [2]
        a.bandwidthScales = [1]
        a.batches = [1, 4]
        a.shapes = [.dataset("commonsense15k")]
        let params = try catalog.calibration()
        let exact = try Sweep(axes: a, catalog: catalog, parameters: params)
        let quick = try Sweep(axes: a, catalog: catalog, parameters: params, maxLengths: 8)
        for c in SweepOutput(sweep: exact, path: "/dev/null", format: .csv).configurations(shard: nil) {
            let e = exact.evaluate(c), q = quick.evaluate(c)
            XCTAssertEqual(q.throughput / e.throughput, 1, accuracy: 0.01, "batch \(c.batch)")
            XCTAssertNotEqual(q.throughput, e.throughput, "batch \(c.batch): the quadrature is in force")
            XCTAssertEqual(q.maxBatch, e.maxBatch)
        }
        XCTAssertThrowsError(try Sweep(axes: a, catalog: catalog, parameters: params, maxLengths: 0)) {
            XCTAssertTrue("\($0)".contains("--max-lengths"), "\($0)")
        }
    }

    func testPriceFileFormats() throws {
        let dir = Self.sweepDir
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let nested = dir.appendingPathComponent("prices.yaml").path
        try "date: \"2026-11-09\"\nprices:\n  a40: {usd_per_hour: 0.44, provider: \"X\"}\n  h100-sxm5-80gb: {usd_per_hour: 6.88}\n"
            .write(toFile: nested, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PriceList.load(file: nested).usdPerHour, ["a40": 0.44, "h100-sxm5-80gb": 6.88])
        let flat = dir.appendingPathComponent("flat.yaml").path
        try "a40: 0.5\n".write(toFile: flat, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PriceList.load(file: flat).usdPerHour, ["a40": 0.5])
        XCTAssertEqual(try PriceList.load(file: dir.appendingPathComponent("none.yaml").path).usdPerHour, [:])
    }
}
