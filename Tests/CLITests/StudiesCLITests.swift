import Foundation
import XCTest

/// `ftsim simulate --trace-out/--plot`, `ftsim plot` and `ftsim sweep` end to end.
final class StudiesCLITests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ftsim-studies-cli-\(ProcessInfo.processInfo.processIdentifier)")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func ftsim(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try FTSimRunner.run(args) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func testSimulateWritesTraceAndPlot() throws {
        let r = try ftsim([
            "simulate", "--model", "blackmamba-2.8b", "--gpu", "a40", "--batch", "2", "--seq", "64", "--trace-out", path("t.json"),
            "--plot", path("p.svg"),
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("t.json")))) as? [String: Any])
        XCTAssertFalse(try XCTUnwrap(o["traceEvents"] as? [Any]).isEmpty)
        let svg = try String(contentsOfFile: path("p.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("roofline") && svg.contains("bar-segment"))
        let bad = try ftsim([
            "simulate", "--model", "blackmamba-2.8b", "--gpu", "a40", "--seq", "32", "--trace-out", "/nonexistent-dir/t.json",
        ])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("--trace-out"), bad.err)
        XCTAssertEqual(bad.err.split(separator: "\n").count, 1, bad.err)
    }

    func testPlotAndItsErrors() throws {
        try "gpu,batch,step\na40,2,0.5\na40,1,0.3\nh100,1,0.1\nh100,2,0.2\n".write(toFile: path("d.csv"), atomically: true, encoding: .utf8)
        let ok = try ftsim([
            "plot", "--in", path("d.csv"), "--x", "batch", "--y", "step", "--series", "gpu", "--out", path("d.svg"), "--log-y", "--title",
            "T",
        ])
        XCTAssertEqual(ok.status, 0, ok.err)
        let svg = try String(contentsOfFile: path("d.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "class=\"series\"").count - 1, 2)
        try "".write(toFile: path("e.csv"), atomically: true, encoding: .utf8)
        try "a,b\n1,x\n".write(toFile: path("n.csv"), atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["plot", "--in", path("d.csv"), "--x", "nope", "--y", "step", "--out", path("x.svg")], "available: gpu, batch, step"),
            (["plot", "--in", path("e.csv"), "--x", "a", "--y", "b", "--out", path("x.svg")], "empty"),
            (["plot", "--in", path("n.csv"), "--x", "a", "--y", "b", "--out", path("x.svg")], "row 1"),
            (["plot", "--in", path("d.csv"), "--x", "batch", "--y", "step", "--out", "/nonexistent-dir/x.svg"], "--out"),
        ]
        for (args, needle) in cases {
            let r = try ftsim(args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(needle), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
    }

    func testSweepCLI() throws {
        let base = ["sweep", "--model", "blackmamba-2.8b", "--gpu", "a40", "--batch", "1,2", "--seq", "32", "--scale", "bandwidth=1,2"]
        let r = try ftsim(base + ["--out", path("s.csv"), "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "", "no progress when stderr is not a terminal")
        XCTAssertEqual(try String(contentsOfFile: path("s.csv"), encoding: .utf8).split(separator: "\n").count, 5)
        let j = try ftsim(base + ["--out", path("s.jsonl"), "--shard", "2/2"])
        XCTAssertEqual(j.status, 0, j.err)
        XCTAssertEqual(try String(contentsOfFile: path("s.jsonl"), encoding: .utf8).split(separator: "\n").count, 2)
        let cases: [([String], String)] = [
            (["--out", path("b.csv"), "--shard", "3/2"], "--shard"),
            (["--out", path("b.csv"), "--shard", "0/2"], "--shard"),
            (["--out", path("b.csv"), "--scale", "memory=0"], "memory"),
            (["--out", path("b.csv"), "--scale", "warp=2"], "unknown scale 'warp'"),
            (["--out", "/nonexistent-dir/b.csv"], "--out"),
        ]
        for (args, needle) in cases {
            let r = try ftsim(base + args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(needle), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
    }
}
