import Foundation
import XCTest

/// End-to-end tests of the `ftsim` binary (built by `swift build --build-tests`).
final class CLITests: XCTestCase {

    func ftsim(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try FTSimRunner.run(args) }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testSimulateJSON() throws {
        let r = try ftsim([
            "simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--top-k", "2", "--batch", "1", "--seq", "128", "--format", "json",
        ])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try json(r.out)
        let step = try XCTUnwrap(o["step_time_s"] as? Double)
        let qps = try XCTUnwrap(o["throughput_qps"] as? Double)
        XCTAssertEqual(qps, 1 / step, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(o["tokens_per_s"] as? Double), 128 / step, accuracy: 1e-6)
        let phases = try XCTUnwrap(o["phases"] as? [String: Double])
        XCTAssertEqual(Set(phases.keys), ["forward", "backward", "optimizer"])
        let layers = try XCTUnwrap(o["layers"] as? [String: Double])
        XCTAssertTrue(Set(layers.keys).isSuperset(of: ["attention", "moe", "norm", "other"]))
        XCTAssertNil(layers["mamba"], "Mixtral has no Mamba layers")
        let kernels = try XCTUnwrap(o["kernels"] as? [[String: Any]])
        XCTAssertFalse(kernels.isEmpty)
        for key in ["name", "kind", "layer", "phase", "calls", "time_s", "flops", "bytes"] { XCTAssertNotNil(kernels[0][key], key) }
        let kinds = Set(kernels.compactMap { $0["kind"] as? String })
        XCTAssertTrue(kinds.isSuperset(of: ["attention", "gating", "expert_ffn", "dequant", "lora", "norm", "optimizer", "loss"]))
    }

    func testSimulateIsByteForByteDeterministic() throws {
        let args = [
            "simulate", "--model", "blackmamba-2.8b", "--gpu", "h100-sxm5-80gb", "--batch", "4", "--dataset", "commonsense15k", "--format",
            "json",
        ]
        XCTAssertEqual(try ftsim(args).out, try ftsim(args).out)
    }

    func testValidateVidurKernelsAndHostCosts() throws {
        var r = try ftsim(["validate", "--traces", "Traces/vidur-kernels", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.err)
        let o = try json(r.out)
        let byGPU = try XCTUnwrap(o["by_gpu"] as? [[String: Any]])
        XCTAssertEqual(byGPU.map { $0["group"] as? String }, ["a100-sxm4-80gb op_s", "a40 op_s", "h100-sxm5-80gb op_s"])
        XCTAssertEqual(byGPU.map { $0["count"] as? Int }, [2451, 2451, 2451])
        let rows = try XCTUnwrap(o["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.first?["kernel"] as? String, "tp1 4096 tok emb")
        XCTAssertTrue(rows.allSatisfy { ($0["predicted"] as? Double ?? 0) > 0 })

        let trace = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ftsim-host-\(ProcessInfo.processInfo.processIdentifier).json")
        try """
        {"traceEvents": [
          {"ph": "X", "cat": "cpu_op", "name": "aten::mul", "pid": 1, "tid": 1, "ts": 10, "dur": 20},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 20, "dur": 4, "args": {"correlation": 1}}
        ]}
        """.write(to: trace, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: trace) }
        r = try ftsim(["host-costs", trace.path, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.err)
        let figures = try XCTUnwrap(try json(r.out)["figures"] as? [[String: Any]])
        let forward = try XCTUnwrap(figures.first { $0["key"] as? String == "forward_op_one_kernel" })
        XCTAssertEqual(forward["parameter"] as? String, "host_launch_forward_s")
        XCTAssertEqual(try XCTUnwrap(forward["median_s"] as? Double), 20e-6, accuracy: 1e-12)
        r = try ftsim(["host-costs", trace.path])
        XCTAssertTrue(r.out.contains("forward_op_one_kernel") && r.out.contains("20.0"), r.out)
    }

    func testBadInputIsOneLineAndNonZero() throws {
        let cases: [([String], String)] = [
            (["simulate", "--model", "nope", "--gpu", "a40"], "unknown model 'nope'"),
            (["simulate", "--model", "mixtral-8x7b", "--gpu", "nope"], "unknown GPU 'nope'"),
            (["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--batch", "0"], "--batch"),
            (["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--top-k", "9"], "--top-k"),
            (["simulate", "--model", "mixtral-8x7b", "--gpu", "a40", "--dataset", "nope"], "unknown dataset 'nope'"),
            (["calibrate", "--traces", "Traces/a40-paper", "--out", "/tmp/ftsim-never.yaml", "--fit", "nope"], "unknown parameter 'nope'"),
            (["kernels", "--gpu", "a40", "--in", "/nonexistent.csv"], "/nonexistent.csv"),
            (["host-costs", "/nonexistent.json.gz"], "/nonexistent.json.gz"),
            (["validate", "--traces", "/nonexistent-ops.csv"], "/nonexistent-ops.csv"),
            (["validate", "--calibration", "/nonexistent.yaml"], "/nonexistent.yaml"),
        ]
        for (args, needle) in cases {
            let r = try ftsim(args)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
            XCTAssertTrue(r.err.contains(needle), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        }
    }

    func testBadConfigFilesNameFileAndKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftsim-cli-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let notYAML = dir.appendingPathComponent("bad.yaml")
        try "sms: [1, 2\n  : :".write(to: notYAML, atomically: true, encoding: .utf8)
        var r = try ftsim(["simulate", "--model", "mixtral-8x7b", "--gpu", notYAML.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("bad.yaml"), r.err)
        let missing = dir.appendingPathComponent("gpu.yaml")
        try "name: x\nsms: 10\nboost_mhz: 1000\nbf16_tensor_tflops: -5\nfp32_tflops: 1\nmemory_gb: 8\nbandwidth_gbs: 100\n".write(
            to: missing, atomically: true, encoding: .utf8)
        r = try ftsim(["simulate", "--model", "mixtral-8x7b", "--gpu", missing.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("gpu.yaml") && r.err.contains("bf16_tensor_tflops") && r.err.contains("-5"), r.err)
    }

    func testListsAndVersion() throws {
        XCTAssertTrue(try ftsim(["gpus"]).out.contains("h100-sxm5-80gb"))
        XCTAssertTrue(try ftsim(["models"]).out.contains("blackmamba-2.8b"))
        XCTAssertEqual(try ftsim(["--version"]).status, 0)
    }
}
