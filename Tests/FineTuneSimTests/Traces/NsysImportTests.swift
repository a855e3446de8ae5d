import XCTest

@testable import FineTuneSim

final class NsysImportTests: XCTestCase {
    static let header = "Time (%),Total Time (ns),Instances,Avg (ns),Med (ns),Min (ns),Max (ns),StdDev (ns),Name"

    func parse(_ text: String, source: String = "k.csv") throws -> ImportedTrace {
        try NsysKernelSummaryParser.parse(text: text, source: source, nameMap: TraceFixtures.shippedMap())
    }

    func testFixture() throws {
        let path = TraceFixtures.nsysCSV
        let trace = try TraceImporter.importTrace(at: path, nameMap: TraceFixtures.shippedMap())
        XCTAssertEqual(trace.format, .nsys)
        XCTAssertEqual(trace.source, path)
        XCTAssertNil(trace.deviceName)
        XCTAssertNil(trace.stepCount)
        XCTAssertNil(trace.meanStepTime_s)
        XCTAssertTrue(trace.kernels.isEmpty, "nsys has no individual events")

        let summary = trace.kernelSummary()
        XCTAssertEqual(summary.rows.count, 8)
        XCTAssertEqual(
            summary.rows.map(\.kindLabel),
            ["gemm", "attention", "unmapped", "optimizer", "loss", "norm", "elementwise", "elementwise"])
        XCTAssertEqual(summary.rows.map(\.calls), [30, 24, 6, 1, 2, 48, 96, 10])
        XCTAssertEqual(summary.calls, 217)
        XCTAssertEqual(summary.total_s, 0.01155, accuracy: 1e-15)
        XCTAssertEqual(summary.rows[0].total_s, 0.006, accuracy: 1e-15)
        XCTAssertEqual(summary.rows[0].mean_s, 0.0002, accuracy: 1e-15)
        XCTAssertEqual(summary.unmappedShare, 1_500_000.0 / 11_550_000.0, accuracy: 1e-12)
        // Quoted template names with commas survive intact.
        XCTAssertEqual(
            summary.rows[1].name,
            "void flash_fwd_kernel<Flash_fwd_kernel_traits<128, 64, 64, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 64, 64, 4, cutlass::bfloat16_t>>, false, true, false, false, true, true, false>(Flash_fwd_params)"
        )
        // Equal totals (150000 ns) sort by name: CUDAFunctor_add before FillFunctor, though the file has them reversed.
        XCTAssertTrue(summary.rows[6].name.contains("CUDAFunctor_add"))
        XCTAssertTrue(summary.rows[7].name.contains("FillFunctor"))
    }

    func testOlderHeaderSpellingsAndUnits() throws {
        let old = """
            Time(%),Total Time (ns),Instances,Average,Minimum,Maximum,Name
            60.0,3000,3,1000.0,900,1100,"ampere_bf16_s16816gemm_bf16_128x64_ldg8_f2f_stages_64x3_tn"
            40.0,2000,4,500.0,400,600,"void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, at::detail::Array<char*, 1> >(int, at::native::FillFunctor<float>, at::detail::Array<char*, 1>)"
            """
        let trace = try parse(old)
        XCTAssertEqual(trace.kernelSummary().total_s, 5e-6, accuracy: 1e-18)
        XCTAssertEqual(trace.kernelSummary().rows.map(\.kind), [.gemm, .elementwise])

        let spaced = " Time ( % ) , Total  Time , Instances , Name \n1,2500,5,k\n"
        XCTAssertEqual(try parse(spaced).kernelSummary().rows[0].total_s, 2.5e-6, accuracy: 1e-18)

        let micro = "Time (%),Total Time (us),Instances,Name\r\n100,2.5,5,k\r\n"
        XCTAssertEqual(try parse(micro).kernelSummary().rows[0].total_s, 2.5e-6, accuracy: 1e-18)
    }

    func testDuplicateNamesAreMerged() throws {
        let text = "\(Self.header)\n50,100,1,100,100,100,100,0,k\n50,300,3,100,100,100,100,0,k\n"
        let rows = try parse(text).kernelSummary().rows
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0].calls, 4)
        XCTAssertEqual(rows[0].total_s, 400e-9, accuracy: 1e-18)
    }

    func testMissingRequiredColumnIsNamed() {
        assertSimulatorError(
            try parse("Time (%),Total Time (ns),Avg (ns),Name\n1,2,3,k\n"), source: "k.csv",
            key: "Instances", contains: ["missing required column 'Instances'"])
        assertSimulatorError(
            try parse("Time (%),Instances,Name\n1,2,k\n"), source: "k.csv",
            key: "Total Time (ns)", contains: ["missing required column 'Total Time (ns)'"])
        assertSimulatorError(
            try parse("Time (%),Total Time (ns),Instances\n1,2,3\n"), source: "k.csv",
            key: "Name", contains: ["missing required column 'Name'"])
    }

    func testNonNumericValueNamesRowAndColumn() {
        let text = "\(Self.header)\n50,100,1,100,100,100,100,0,\"a, b\"\n50,12ms,3,1,1,1,1,0,k\n"
        assertSimulatorError(
            try parse(text), source: "k.csv", key: "Total Time (ns)",
            contains: ["row 2", "line 3", "not a number: '12ms'"])
        let calls = "\(Self.header)\n50,100,1.5,100,100,100,100,0,k\n"
        assertSimulatorError(
            try parse(calls), source: "k.csv", key: "Instances",
            contains: ["row 1", "line 2", "not an integer: '1.5'"])
        let negative = "\(Self.header)\n50,-100,1,100,100,100,100,0,k\n"
        assertSimulatorError(try parse(negative), source: "k.csv", key: "Total Time (ns)", contains: ["negative"])
        let unterminated = "\(Self.header)\n50,100,1,100,100,100,100,0,\"void k<int, float>(\n"
        assertSimulatorError(try parse(unterminated), source: "k.csv", key: "line 2", contains: ["unterminated"])
    }

    func testPreambleBeforeAHeaderWithoutTotals() {
        let text = "Processing [r.sqlite] with [cuda_gpu_kern_sum.py]... \n\nTime (%),Instances,Name\n1,2,k\n"
        assertSimulatorError(
            try parse(text), source: "k.csv", key: "Total Time (ns)",
            contains: ["missing required column 'Total Time (ns)'", "'Time (%)', 'Instances', 'Name'"])
    }

    func testEmptyTableGivesEmptySummary() throws {
        let trace = try parse(Self.header + "\n")
        XCTAssertEqual(trace.kernelSummary().rows, [])
    }
}
