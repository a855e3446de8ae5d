import Foundation
import XCTest

/// The host assumption end to end: every simulate, max-batch and cost JSON names it, `--host-speed` overrides
/// a GPU file's `host:` block, and bad values are one-line errors.
final class HostCLITests: XCTestCase {
    func ftsim(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try FTSimRunner.run(args) }

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try ftsim(args)
        XCTAssertEqual(r.status, 0, r.err)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ftsim-host-\(ProcessInfo.processInfo.processIdentifier)")

    /// The H100 SXM5 file with a host block added.
    func gpuWithHost(_ block: String, name: String) throws -> String {
        try FileManager.default.createDirectory(at: Self.dir, withIntermediateDirectories: true)
        var text = try String(
            contentsOfFile: FTSimRunner.root.appendingPathComponent("Configs/gpus/h100-sxm5-80gb.yaml").path, encoding: .utf8)
        text = text.replacingOccurrences(of: "id: \"h100-sxm5-80gb\"\n", with: "")
        text += "\n" + block + "\n"
        let path = Self.dir.appendingPathComponent("\(name).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testEveryJSONNamesTheHost() throws {
        let sim = try json(["simulate", "--model", "mixtral-8x7b", "--gpu", "h100-sxm5-80gb", "--top-k", "2", "--format", "json"])
        XCTAssertEqual(sim["host_cpu"] as? String, "Intel Xeon Platinum 8380")
        XCTAssertEqual(sim["host_speed"] as? Double, 1)
        let step = try XCTUnwrap(sim["step_time_s"] as? Double), bound = try XCTUnwrap(sim["host_bound_s"] as? Double)
        XCTAssertTrue(bound > 0.5 * step && bound <= step, "\(bound) of \(step)")
        XCTAssertNotNil(sim["sync_wait_s"])
        let fast = try json([
            "simulate", "--model", "mixtral-8x7b", "--gpu", "h100-sxm5-80gb", "--top-k", "2", "--format", "json", "--host-speed", "2",
        ])
        XCTAssertEqual(fast["host_speed"] as? Double, 2)
        XCTAssertEqual(fast["host_source"] as? String, "host_speed_flag")
        XCTAssertLessThan(try XCTUnwrap(fast["host_bound_s"] as? Double), bound)

        let mb = try json(["max-batch", "--model", "llama-2-7b", "--gpu", "a40", "--format", "json", "--host-speed", "1.5"])
        XCTAssertEqual(mb["host_speed"] as? Double, 1.5)
        XCTAssertNotNil(mb["host_cpu"] as? String)
        let cost = try json([
            "cost", "--model", "llama-2-7b", "--dataset", "math14k", "--gpu", "a40,h100-sxm5-80gb", "--price", "a40=0.79",
            "--price", "h100-sxm5-80gb=2.10", "--queries", "100", "--format", "json",
        ])
        for row in try XCTUnwrap(cost["rows"] as? [[String: Any]]) {
            XCTAssertEqual(row["host_cpu"] as? String, "Intel Xeon Platinum 8380")
            XCTAssertEqual(row["host_speed"] as? Double, 1)
        }
    }

    func testGPUFileHostAndFlagOverride() throws {
        let path = try gpuWithHost("host: {cpu: \"Faster CPU\", single_thread_speed: 2, notes: \"test\"}", name: "fast-host")
        let base = ["simulate", "--model", "mixtral-8x7b", "--gpu", path, "--top-k", "2", "--format", "json"]
        let file = try json(base)
        XCTAssertEqual(file["host_cpu"] as? String, "Faster CPU")
        XCTAssertEqual(file["host_speed"] as? Double, 2)
        XCTAssertEqual(file["host_source"] as? String, "gpu_file")
        let flagged = try json(base + ["--host-speed", "2"])
        XCTAssertEqual(flagged["step_time_s"] as? Double, file["step_time_s"] as? Double, "the file's speed applies like the flag")
        let slow = try json(base + ["--host-speed", "1"])
        XCTAssertEqual(slow["host_speed"] as? Double, 1, "the flag wins over the file")
        let table = try ftsim(Array(base.dropLast(2)))
        XCTAssertTrue(table.out.contains("host           Faster CPU (from the GPU file), single-thread speed 2.00×"), table.out)
    }

    func testBadHostInput() throws {
        let bad = try gpuWithHost("host: {cpu: \"X\", speeed: 2}", name: "bad-host")
        let cases: [([String], String)] = [
            (["simulate", "--model", "llama-2-7b", "--gpu", bad], "host.speeed: unknown key"),
            (["simulate", "--model", "llama-2-7b", "--gpu", "a40", "--host-speed", "0"], "--host-speed: must be a positive finite number"),
            (["max-batch", "--model", "llama-2-7b", "--gpu", "a40", "--host-speed=-1"], "--host-speed"),
        ]
        for (args, needle) in cases {
            let r = try ftsim(args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(needle), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
    }
}
