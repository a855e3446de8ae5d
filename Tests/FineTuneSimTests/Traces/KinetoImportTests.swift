import Foundation
import XCTest

@testable import FineTuneSim

final class KinetoImportTests: XCTestCase {
    static let flash =
        "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, false, true, false, false, true, true, false, false>(pytorch_flash::Flash_fwd_params)"
    static let gemm =
        "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas"
    static let nccl = "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevComm*, unsigned long, ncclWork*)"

    func importFixture(_ path: String, format: TraceFormat? = nil) throws -> ImportedTrace {
        try TraceImporter.importTrace(at: path, format: format, nameMap: TraceFixtures.shippedMap())
    }

    func checkFixture(_ trace: ImportedTrace, source: String) {
        XCTAssertEqual(trace.source, source)
        XCTAssertEqual(trace.format, .kineto)
        XCTAssertEqual(trace.deviceName, "NVIDIA H100 80GB HBM3")
        // Two CPU-side ProfilerStep annotations; the gpu_user_annotation copy is not a third.
        XCTAssertEqual(trace.stepCount, 2)
        XCTAssertEqual(trace.meanStepTime_s!, 0.00525, accuracy: 1e-12)
        // 9 kernel events: not memcpy/memset, not runtime calls, not the cpu_op named like a Triton kernel.
        XCTAssertEqual(trace.kernels.count, 9)
        XCTAssertEqual(trace.memcpyCount, 1)
        XCTAssertEqual(trace.memsetCount, 1)
        XCTAssertEqual(trace.memcpyTotal_s, 30e-6, accuracy: 1e-15)
        XCTAssertEqual(trace.memsetTotal_s, 2e-6, accuracy: 1e-15)
        XCTAssertEqual(trace.originMicroseconds, 1_000_000)

        // Sorted by start; the dequant kernel was written out of order.
        XCTAssertEqual(trace.kernels.map(\.start_s), trace.kernels.map(\.start_s).sorted())
        let first = trace.kernels[0]
        XCTAssertEqual(first.name, Self.flash)
        XCTAssertEqual(first.kind, .attention)
        XCTAssertEqual(first.stream, 7)
        XCTAssertEqual(first.device, 0)
        XCTAssertEqual(first.start_s, 100.5e-6, accuracy: 1e-12)
        XCTAssertEqual(first.duration_s, 120.25e-6, accuracy: 1e-15)
        let nccl = trace.kernels.first { $0.name == Self.nccl }
        XCTAssertEqual(nccl?.stream, 20)
        XCTAssertNil(nccl?.kind)
        XCTAssertEqual(trace.kernels.filter { $0.kind == .dequant }.count, 1)
        XCTAssertEqual(trace.kernels.filter { $0.name == "triton_poi_fused_add_mul_0" }.count, 1)

        let summary = trace.kernelSummary()
        XCTAssertEqual(summary.rows.map(\.kindLabel), ["gemm", "unmapped", "attention", "dequant", "elementwise", "elementwise"])
        XCTAssertEqual(summary.rows.map(\.calls), [3, 1, 2, 1, 1, 1])
        XCTAssertEqual(summary.rows[0].name, Self.gemm)
        XCTAssertEqual(summary.rows[0].total_s, 600e-6, accuracy: 1e-12)
        XCTAssertEqual(summary.rows[0].mean_s, 200e-6, accuracy: 1e-12)
        XCTAssertEqual(summary.rows[2].total_s, 240e-6, accuracy: 1e-12)
        XCTAssertEqual(summary.calls, 9)
        XCTAssertEqual(summary.total_s, 1170.5e-6, accuracy: 1e-12)
        XCTAssertEqual(summary.unmappedShare, 300 / 1170.5, accuracy: 1e-12)
        XCTAssertEqual(summary.totalsByKind[.attention]!, 240e-6, accuracy: 1e-12)
        XCTAssertEqual(summary.totalsByKind[nil]!, 300e-6, accuracy: 1e-12)
    }

    func testPlainJSONFixture() throws {
        checkFixture(try importFixture(TraceFixtures.kinetoJSON), source: TraceFixtures.kinetoJSON)
    }

    func testGzipFixtureGivesTheSameResult() throws {
        let plain = try importFixture(TraceFixtures.kinetoJSON)
        let gz = try importFixture(TraceFixtures.kinetoGzip)
        checkFixture(gz, source: TraceFixtures.kinetoGzip)
        XCTAssertEqual(plain.kernels, gz.kernels)
        XCTAssertEqual(plain.kernelSummary().rows, gz.kernelSummary().rows)
    }

    func testGzipFixtureIsByteStable() throws {
        // Committed as `gzip -n -9`: no name or time stamp in the header, so regenerating gives the same bytes.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoGzip))
        XCTAssertEqual(Array(bytes.prefix(4)), [0x1F, 0x8B, 0x08, 0x00], "no FNAME flag")
        XCTAssertEqual(Array(bytes[4..<8]), [0, 0, 0, 0], "no MTIME")
        let json = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoJSON))
        XCTAssertEqual(try TraceFile.gunzip(bytes, source: "fixture"), json)
    }

    func testFormatIsGuessedFromContentWithoutExtension() throws {
        let json = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoJSON))
        let path = try TraceFixtures.write(self, "trace.pt.trace", json)
        XCTAssertEqual(try importFixture(path).kernels.count, 9)
        let gz = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoGzip))
        let gzPath = try TraceFixtures.write(self, "trace.bin", gz)
        XCTAssertEqual(try importFixture(gzPath).kernels.count, 9)
    }

    func testConcatenatedGzipMembers() throws {
        let gz = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoGzip))
        let json = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoJSON))
        XCTAssertEqual(try TraceFile.gunzip(gz + gz, source: "g"), json + json)
        assertSimulatorError(
            try TraceFile.gunzip(gz + Data("junk".utf8), source: "g"), source: "g",
            contains: ["trailing garbage"])
    }

    func testTopLevelEventArrayAndOlderCategories() throws {
        let text = """
            [{"ph": "X", "cat": "Operator", "name": "ProfilerStep#1", "ts": 0, "dur": 100},
             {"ph": "X", "cat": "Kernel", "name": "flash_fwd_kernel", "ts": 10, "dur": 5, "pid": 1, "tid": 3},
             {"ph": "X", "cat": "Memcpy", "name": "Memcpy DtoD", "ts": 20, "dur": 1}]
            """
        let trace = try KinetoTraceParser.parse(data: Data(text.utf8), source: "old.json", nameMap: TraceFixtures.shippedMap())
        XCTAssertEqual(trace.kernels.count, 1)
        XCTAssertEqual(trace.kernels[0].stream, 3, "falls back to tid")
        XCTAssertEqual(trace.kernels[0].device, 1, "falls back to pid")
        XCTAssertEqual(trace.kernels[0].kind, .attention)
        XCTAssertEqual(trace.stepCount, 1)
        XCTAssertEqual(trace.memcpyCount, 1)
        XCTAssertNil(trace.deviceName)
    }

    func testNoStepsAndNoKernels() throws {
        let trace = try KinetoTraceParser.parse(data: Data("{\"traceEvents\": []}".utf8), source: "e.json", nameMap: .empty)
        XCTAssertEqual(trace.stepCount, 0)
        XCTAssertNil(trace.meanStepTime_s)
        XCTAssertNil(trace.originMicroseconds)
        XCTAssertEqual(trace.kernelSummary().rows, [])
        XCTAssertEqual(trace.kernelSummary().unmappedShare, 0)
        XCTAssertTrue(trace.csv().contains("# step_time_s") == false)
    }

    func testStringTimesAndNonKernelOddFieldsAreTolerated() throws {
        let text = """
            {"traceEvents": [
              {"ph": "X", "cat": "kernel", "name": "k", "ts": "5.5", "dur": "2", "args": {"stream": 7}},
              {"ph": "X", "cat": "cpu_op", "name": "aten::add", "ts": "not checked"},
              {"ph": "M", "pid": "Spans", "tid": [1]},
              {"ph": "i", "name": "Record Window End", "s": "g", "pid": "", "tid": "", "ts": 9}
            ], "deviceProperties": "not a list"}
            """
        let trace = try KinetoTraceParser.parse(data: Data(text.utf8), source: "s.json", nameMap: .empty)
        XCTAssertEqual(trace.kernels.count, 1)
        XCTAssertEqual(trace.kernels[0].duration_s, 2e-6, accuracy: 1e-15)
        XCTAssertNil(trace.deviceName)
    }

    /// The real multi-stream A100 training trace (shared/reference/traces/README.md), when shared/ is present.
    func testRealHTATraceIfPresent() throws {
        guard let path = TraceFixtures.sharedHTATrace else {
            throw XCTSkip("shared/reference/traces/hta_a100_training_rank0.json.gz not found beside the package")
        }
        let trace = try importFixture(path)
        XCTAssertEqual(trace.deviceName, "NVIDIA A100-SXM4-80GB")
        XCTAssertEqual(trace.kernels.count, 6080)
        XCTAssertEqual(trace.stepCount, 5)  // ProfilerStep#550...#554
        XCTAssertEqual(trace.meanStepTime_s!, 0.2148066, accuracy: 1e-9)
        XCTAssertEqual(trace.memcpyCount, 1390)
        XCTAssertEqual(trace.memsetCount, 277)
        XCTAssertEqual(Set(trace.kernels.compactMap(\.stream)), [7, 27, 84, 285, 363])
        let summary = trace.kernelSummary()
        XCTAssertEqual(summary.rows.count, 85)
        XCTAssertEqual(summary.total_s, 0.401445, accuracy: 1e-9)
        XCTAssertTrue(summary.rows[0].name.hasPrefix("ncclKernel_SendRecv"))
        XCTAssertNil(summary.rows[0].kind)
        XCTAssertEqual(summary.rows[1].kind, .gemm)
        XCTAssertEqual(summary.rows[2].kind, .optimizer)
    }

    // MARK: Errors

    func parse(_ text: String, source: String = "bad.json") throws -> ImportedTrace {
        try KinetoTraceParser.parse(data: Data(text.utf8), source: source, nameMap: .empty)
    }

    func testNotJSON() throws {
        assertSimulatorError(try parse("this is { not json"), source: "bad.json", contains: ["not JSON", "line 1, column 2", "his is"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [\n  {\"ph\": \"X\",, }]}"), source: "bad.json",
            contains: ["not JSON", "line 2"])
        assertSimulatorError(try parse("{\"traceEvents\": [{\"ph\": \"X\""), source: "bad.json", contains: ["not JSON"])
        assertSimulatorError(try parse("   \n"), source: "bad.json", contains: ["not JSON", "empty"])
        let path = try TraceFixtures.write(self, "notjson.json", "Time (%),Name\n1,k\n")
        assertSimulatorError(try importFixture(path), source: path, contains: ["not JSON"])
    }

    func testJSONWithoutTraceEvents() {
        assertSimulatorError(
            try parse("{\"schemaVersion\": 1, \"events\": []}"), source: "bad.json", key: "traceEvents",
            contains: ["no traceEvents", "events, schemaVersion"])
        assertSimulatorError(try parse("42"), source: "bad.json", key: "traceEvents", contains: ["a number"])
        assertSimulatorError(
            try parse("{\"traceEvents\": {\"a\": 1}}"), source: "bad.json", key: "traceEvents",
            contains: ["expected a list"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [1]}"), source: "bad.json", key: "traceEvents[0]",
            contains: ["expected an event object"])
    }

    func testKernelMissingTsOrDur() {
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"gemm_k\", \"dur\": 3}]}"),
            source: "bad.json", key: "traceEvents[0].ts", contains: ["kernel event 'gemm_k' has no ts"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [{}, {\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"gemm_k\", \"ts\": 3}]}"),
            source: "bad.json", key: "traceEvents[1].dur", contains: ["has no dur"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k\", \"ts\": \"soon\", \"dur\": 1}]}"),
            source: "bad.json", key: "traceEvents[0].ts", contains: ["non-numeric ts: \"soon\""])
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"ts\": 1, \"dur\": 1}]}"),
            source: "bad.json", key: "traceEvents[0].name", contains: ["no name"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"ProfilerStep#3\", \"ts\": 1}]}"),
            source: "bad.json", key: "traceEvents[0].dur", contains: ["step annotation event 'ProfilerStep#3' has no dur"])
    }

    func testNegativeDuration() {
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"kernel\", \"name\": \"k1\", \"ts\": 1, \"dur\": -2.5}]}"),
            source: "bad.json", key: "traceEvents[0].dur", contains: ["negative duration: -2.5"])
        assertSimulatorError(
            try parse("{\"traceEvents\": [{\"ph\": \"X\", \"cat\": \"gpu_memcpy\", \"name\": \"Memcpy\", \"ts\": 1, \"dur\": -1}]}"),
            source: "bad.json", key: "traceEvents[0].dur", contains: ["memcpy event", "negative duration"])
    }

    func testTruncatedGzip() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoGzip))
        let path = try TraceFixtures.write(self, "cut.json.gz", bytes.prefix(bytes.count / 2))
        assertSimulatorError(try importFixture(path), source: path, contains: ["truncated gzip"])
        // Only the 8-byte trailer missing: still truncated.
        let path2 = try TraceFixtures.write(self, "cut2.json.gz", bytes.prefix(bytes.count - 8))
        assertSimulatorError(try importFixture(path2), source: path2, contains: ["truncated gzip"])
    }

    func testCorruptAndFakeGzip() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: TraceFixtures.kinetoGzip))
        for i in 20..<60 { bytes[i] ^= 0x5A }
        let path = try TraceFixtures.write(self, "corrupt.json.gz", bytes)
        assertSimulatorError(try importFixture(path), source: path, contains: ["gzip"])
        let fake = try TraceFixtures.write(self, "fake.json.gz", "{\"traceEvents\": []}")
        assertSimulatorError(try importFixture(fake), source: fake, contains: ["not gzip"])
    }

    func testMissingFile() {
        assertSimulatorError(
            try importFixture("/nonexistent/trace.json"), source: "/nonexistent/trace.json",
            contains: ["cannot read file"])
    }
}
