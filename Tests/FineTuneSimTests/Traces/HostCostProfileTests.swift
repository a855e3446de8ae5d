import Foundation
import XCTest

@testable import FineTuneSim

final class HostCostProfileTests: XCTestCase {
    /// A small synthetic Kineto trace: main thread 1/1 (ProfilerStep), autograd thread 1/2, times in µs.
    static let trace = """
        {"schemaVersion": 1, "traceEvents": [
          {"ph": "X", "cat": "user_annotation", "name": "ProfilerStep#1", "pid": 1, "tid": 1, "ts": 0, "dur": 1000},
          {"ph": "X", "cat": "cpu_op", "name": "aten::mul", "pid": 1, "tid": 1, "ts": 10, "dur": 20},
          {"ph": "X", "cat": "cpu_op", "name": "aten::empty", "pid": 1, "tid": 1, "ts": 11, "dur": 1},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 20, "dur": 4, "args": {"correlation": 1}},
          {"ph": "X", "cat": "cpu_op", "name": "aten::add", "pid": 1, "tid": 1, "ts": 40, "dur": 30},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 50, "dur": 6, "args": {"correlation": 2}},
          {"ph": "X", "cat": "cpu_op", "name": "aten::cat", "pid": 1, "tid": 1, "ts": 80, "dur": 50},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 90, "dur": 5, "args": {"correlation": 3}},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 100, "dur": 5, "args": {"correlation": 4}},
          {"ph": "X", "cat": "cpu_op", "name": "aten::item", "pid": 1, "tid": 1, "ts": 140, "dur": 100},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 150, "dur": 5, "args": {"correlation": 5}},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaMemcpyAsync", "pid": 1, "tid": 1, "ts": 160, "dur": 70, "args": {"correlation": 6}},
          {"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy DtoH (Device -> Pageable)", "pid": 0, "tid": 7, "ts": 200, "dur": 20, "args": {"correlation": 6}},
          {"ph": "X", "cat": "cpu_op", "name": "aten::sub", "pid": 1, "tid": 1, "ts": 250, "dur": 10},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 252, "dur": 3, "args": {"correlation": 7}},
          {"ph": "X", "cat": "cpu_op", "name": "autograd::engine::evaluate_function: MulBackward0", "pid": 1, "tid": 2, "ts": 300, "dur": 40},
          {"ph": "X", "cat": "cpu_op", "name": "MulBackward0", "pid": 1, "tid": 2, "ts": 305, "dur": 30},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 2, "ts": 310, "dur": 4, "args": {"correlation": 8}},
          {"ph": "X", "cat": "cpu_op", "name": "autograd::engine::evaluate_function: AddBackward0", "pid": 1, "tid": 2, "ts": 350, "dur": 24},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 2, "ts": 355, "dur": 4, "args": {"correlation": 9}},
          {"ph": "X", "cat": "user_annotation", "name": "Optimizer.step#AdamW.step", "pid": 1, "tid": 1, "ts": 400, "dur": 100},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 410, "dur": 3, "args": {"correlation": 10}},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 415, "dur": 3, "args": {"correlation": 11}},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 422, "dur": 3, "args": {"correlation": 12}},
          {"ph": "X", "cat": "cpu_op", "name": "aten::_foreach_mul_", "pid": 1, "tid": 1, "ts": 430, "dur": 8},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": 1, "ts": 432, "dur": 3, "args": {"correlation": 13}},
          {"ph": "X", "cat": "kernel", "name": "void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float> >", "pid": 0, "tid": 7, "ts": 420, "dur": 5, "args": {"correlation": 10}},
          {"ph": "X", "cat": "kernel", "name": "void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float> >", "pid": 0, "tid": 7, "ts": 426, "dur": 5, "args": {"correlation": 11}},
          {"ph": "X", "cat": "kernel", "name": "void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float> >", "pid": 0, "tid": 7, "ts": 432, "dur": 5, "args": {"correlation": 12}},
          {"ph": "X", "cat": "cuda_runtime", "name": "cudaStreamSynchronize", "pid": 1, "tid": 1, "ts": 600, "dur": 50, "args": {"correlation": 16}},
          {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 590, "dur": 50, "args": {"correlation": 14}},
          {"ph": "X", "cat": "kernel", "name": "nccl", "pid": 0, "tid": 20, "ts": 645, "dur": 100, "args": {"correlation": 15}},
          {"ph": "i", "cat": "Trace", "name": "marker", "pid": 1, "tid": 1, "ts": 5}
        ]}
        """

    func testStatisticsOfASyntheticTrace() throws {
        let p = try HostCostProfile.parse(data: Data(Self.trace.utf8), source: "synthetic.json")
        XCTAssertEqual(p.mainThread, "1/1")
        XCTAssertEqual(p.autogradThreads, ["1/2"])
        XCTAssertEqual(p.kernelCount, 5)
        XCTAssertEqual(p.launchCount, 12)
        // Top-level: mul, add, cat, item, sub, _foreach_mul_ on 1/1; two evaluate_function nodes on 1/2.
        XCTAssertEqual(p.topLevelOpCount, 8)

        func check(_ key: String, count: Int, median: Double, p10: Double, p90: Double, mean: Double, line: UInt = #line) {
            guard let d = p[key]?.distribution else { return XCTFail("no figure \(key)", line: line) }
            XCTAssertEqual(d.count, count, key, line: line)
            XCTAssertEqual(d.median_s, median * 1e-6, accuracy: 1e-12, key, line: line)
            XCTAssertEqual(d.p10_s, p10 * 1e-6, accuracy: 1e-12, key, line: line)
            XCTAssertEqual(d.p90_s, p90 * 1e-6, accuracy: 1e-12, key, line: line)
            XCTAssertEqual(d.mean_s, mean * 1e-6, accuracy: 1e-12, key, line: line)
        }
        // Launch calls 3,3,3,3,3,4,4,4,5,5,5,6.
        check("launch_call", count: 12, median: 4, p10: 3, p90: 5, mean: 4)
        // mul 20, add 30, sub 10 (cat launches two kernels, item copies, _foreach_mul_ is inside Optimizer.step).
        check("forward_op_one_kernel", count: 3, median: 20, p10: 12, p90: 28, mean: 20)
        check("backward_op_one_kernel", count: 2, median: 32, p10: 25.6, p90: 38.4, mean: 32)
        check("optimizer_launch_call", count: 3, median: 3, p10: 3, p90: 3, mean: 3)
        // 410 → 415 → 422; the launch at 432 is not a multi-tensor kernel's.
        check("optimizer_launch_interval", count: 2, median: 6, p10: 5.2, p90: 6.8, mean: 6)
        // The sync returns at 650; the last GPU work done by then ended at 640 (the NCCL kernel ends later).
        check("sync_beyond_wait", count: 1, median: 10, p10: 10, p90: 10, mean: 10)
        // The D2H copy ended at 220, its cudaMemcpyAsync at 230.
        check("d2h_copy_beyond_copy", count: 1, median: 10, p10: 10, p90: 10, mean: 10)
        XCTAssertEqual(p["forward_op_one_kernel"]?.parameter, "host_launch_forward_s")
        XCTAssertEqual(p["sync_beyond_wait"]?.parameter, "host_sync_s")
    }

    func testLoadsAFileWithFractionalTimes() throws {
        let fractional = Self.trace.replacingOccurrences(of: "\"ts\": 10, \"dur\": 20", with: "\"ts\": 10.5, \"dur\": 19.5")
        let path = try TraceFixtures.write(self, "t.json", fractional)
        let p = try HostCostProfile.load(path: path)
        XCTAssertEqual(p["forward_op_one_kernel"]!.distribution.median_s, 19.5e-6, accuracy: 1e-12)
        // The Chrome-trace array form (the events alone) gives the same figures.
        let start = Self.trace.range(of: "[")!.lowerBound, end = Self.trace.range(of: "]", options: .backwards)!.upperBound
        let array = try HostCostProfile.parse(data: Data(Self.trace[start..<end].utf8), source: "array.json")
        XCTAssertEqual(array.figures, try HostCostProfile.parse(data: Data(Self.trace.utf8), source: "array.json").figures)
    }

    func testBadInputNamesFileAndKey() throws {
        let notJSON = try TraceFixtures.write(self, "bad.json", "{\"traceEvents\": [")
        assertSimulatorError(try HostCostProfile.load(path: notJSON), source: notJSON, contains: ["not JSON"])
        let empty = try TraceFixtures.write(self, "empty.json", "  \n")
        assertSimulatorError(try HostCostProfile.load(path: empty), source: empty, contains: ["empty"])
        let noEvents = try TraceFixtures.write(self, "no.json", "{\"schemaVersion\": 1}")
        assertSimulatorError(try HostCostProfile.load(path: noEvents), source: noEvents, key: "traceEvents", contains: ["no traceEvents"])
        let negative = Self.trace.replacingOccurrences(of: "\"ts\": 40, \"dur\": 30", with: "\"ts\": 40, \"dur\": -30")
        assertSimulatorError(
            try HostCostProfile.parse(data: Data(negative.utf8), source: "neg.json"), source: "neg.json", key: "traceEvents[4].dur",
            contains: ["aten::add", "negative duration", "-30"])
        let text = Self.trace.replacingOccurrences(of: "\"ts\": 250,", with: "\"ts\": \"soon\",")
        assertSimulatorError(
            try HostCostProfile.parse(data: Data(text.utf8), source: "ts.json"), source: "ts.json", key: "traceEvents[13].ts",
            contains: ["aten::sub", "\"soon\""])
        let gpuOnly = """
            {"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1, "dur": 2}]}
            """
        assertSimulatorError(
            try HostCostProfile.parse(data: Data(gpuOnly.utf8), source: "gpu.json"), source: "gpu.json", key: "traceEvents",
            contains: ["no CPU-side events"])
        let missing = "/nonexistent/trace.json.gz"
        assertSimulatorError(try HostCostProfile.load(path: missing), source: missing, contains: ["cannot read"])
    }

    /// The real HolisticTraceAnalysis A100 trace, when shared/ is present: the figures Traces/host-costs/README.md ships.
    func testSharedHTATraceFigures() throws {
        guard let path = TraceFixtures.sharedHTATrace else { throw XCTSkip("shared reference trace not present") }
        let p = try HostCostProfile.load(path: path)
        XCTAssertEqual(p.launchCount, 5240)
        XCTAssertEqual(p["launch_call"]!.distribution.median_s, 4e-6, accuracy: 1e-12)
        XCTAssertEqual(p["forward_op_one_kernel"]!.distribution.count, 2470)
        XCTAssertEqual(p["forward_op_one_kernel"]!.distribution.median_s, 19e-6, accuracy: 1e-12)
        XCTAssertEqual(p["backward_op_one_kernel"]!.distribution.median_s, 24e-6, accuracy: 1e-12)
        XCTAssertEqual(p["optimizer_launch_interval"]!.distribution.median_s, 5e-6, accuracy: 1e-12)
        XCTAssertEqual(p["sync_beyond_wait"]!.distribution.median_s, 6e-6, accuracy: 1e-12)
    }
}
