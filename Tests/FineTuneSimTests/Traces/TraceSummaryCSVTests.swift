import XCTest

@testable import FineTuneSim

final class TraceSummaryCSVTests: XCTestCase {
    func testKinetoSummaryCSVHeaderAndRoundTrip() throws {
        let trace = try TraceImporter.importTrace(at: TraceFixtures.kinetoJSON, nameMap: TraceFixtures.shippedMap())
        let summary = trace.kernelSummary()
        let csv = summary.csv()
        XCTAssertEqual(csv, trace.csv())
        XCTAssertTrue(csv.hasSuffix("\n"))
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0], "# source: \(TraceFixtures.kinetoJSON)")
        XCTAssertEqual(
            Array(lines[1...11]),
            [
                "# format: kineto",
                "# device: NVIDIA H100 80GB HBM3",
                "# steps: 2",
                "# step_time_s: 0.00525",
                "# kernel_time_s: 0.0011705",
                "# kernel_calls: 9",
                "# kernel_names: 6",
                "# unmapped_share: 0.256300726",
                "# memcpy_events: 1",
                "# memset_events: 1",
                "name,kind,calls,total_s,mean_s",
            ])
        XCTAssertEqual(lines[12], "\(KinetoImportTests.gemm),gemm,3,0.0006,0.0002")

        let table = try CSVTable(text: csv, source: "out.csv")
        XCTAssertEqual(table.header, ImportedTrace.KernelSummary.columns)
        XCTAssertEqual(table.comments.count, 11)
        XCTAssertTrue(table.comments.contains("steps: 2"))
        XCTAssertEqual(table.rows.count, summary.rows.count)
        let name = try table.requireColumn("name"), kind = try table.requireColumn("kind")
        let calls = try table.requireColumn("calls"), total = try table.requireColumn("total_s")
        let mean = try table.requireColumn("mean_s")
        for (row, expected) in zip(table.rows, summary.rows) {
            XCTAssertEqual(row[name], expected.name)
            XCTAssertEqual(row[kind], expected.kindLabel)
            XCTAssertEqual(try table.int(row, calls), expected.calls)
            XCTAssertEqual(try table.double(row, total), expected.total_s, accuracy: expected.total_s * 1e-8)
            XCTAssertEqual(try table.double(row, mean), expected.mean_s, accuracy: expected.mean_s * 1e-8)
        }
        // Template names with commas are quoted.
        XCTAssertTrue(csv.contains("\"\(KinetoImportTests.flash)\",attention,2,0.00024,0.00012\n"))
    }

    func testNsysSummaryCSV() throws {
        let trace = try TraceImporter.importTrace(at: TraceFixtures.nsysCSV, format: .nsys, nameMap: TraceFixtures.shippedMap())
        let csv = trace.csv()
        XCTAssertTrue(csv.contains("# format: nsys\n# device: unknown\n# steps: unknown\n# kernel_time_s: 0.01155\n"))
        XCTAssertFalse(csv.contains("step_time_s"))
        XCTAssertFalse(csv.contains("memcpy_events"))
        let table = try CSVTable(text: csv, source: "out.csv")
        XCTAssertEqual(table.rows.count, 8)
        XCTAssertEqual(table.rows[2][1], "unmapped")
        XCTAssertEqual(table.rows[2][0], "ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(ncclDevComm *, unsigned long, ncclWork *)")
    }

    func testCSVIsDeterministic() throws {
        let a = try TraceImporter.importTrace(at: TraceFixtures.kinetoJSON, nameMap: TraceFixtures.shippedMap()).csv()
        let b = try TraceImporter.importTrace(at: TraceFixtures.kinetoJSON, nameMap: TraceFixtures.shippedMap()).csv()
        XCTAssertEqual(a, b)
    }

    func testNumberFormatting() {
        XCTAssertEqual(TraceText.number(0), "0")
        XCTAssertEqual(TraceText.number(42), "42")
        XCTAssertEqual(TraceText.number(-2.5), "-2.5")
        XCTAssertEqual(TraceText.number(0.1 + 0.2), "0.3")
        XCTAssertEqual(TraceText.number(1.0 / 3.0), "0.333333333")
        XCTAssertEqual(TraceText.number(123456789.4), "123456789")
        XCTAssertEqual(TraceText.number(1234567890123), "1.23456789e+12")
        XCTAssertEqual(TraceText.number(0.00012345678912), "0.000123456789")
        XCTAssertEqual(TraceText.number(1.5e-7), "1.5e-07")
        XCTAssertEqual(TraceText.number(2.0 / 3.0 * 1e-9), "6.66666667e-10")
        XCTAssertEqual(TraceText.number(3e20), "3e+20")
        XCTAssertEqual(TraceText.number(999999999.7), "1e+09")
        XCTAssertEqual(TraceText.number(0.99999999999), "1")
        XCTAssertEqual(TraceText.number(1e-5), "1e-05")
        XCTAssertEqual(TraceText.number(0.0001), "0.0001")
        XCTAssertEqual(TraceText.number(1e-300), "1e-300")
        XCTAssertEqual(TraceText.number(-1234.5), "-1234.5")
        XCTAssertEqual(TraceText.number(100), "100")
        XCTAssertEqual(TraceText.number(0.214806600000001), "0.2148066")
    }

    func testFormatFlag() throws {
        XCTAssertEqual(try TraceFormat(flag: "kineto"), .kineto)
        XCTAssertEqual(try TraceFormat(flag: " NSYS "), .nsys)
        assertSimulatorError(
            try TraceFormat(flag: "chrome"), source: "--format",
            contains: ["unknown format 'chrome'", "kineto, nsys"])
        XCTAssertEqual(TraceFormat.guess(path: "a/rank0.json.gz"), .kineto)
        XCTAssertEqual(TraceFormat.guess(path: "a/b.JSON"), .kineto)
        XCTAssertEqual(TraceFormat.guess(path: "kern.csv"), .nsys)
        XCTAssertEqual(TraceFormat.guess(path: "kern.csv.gz"), .nsys)
        XCTAssertNil(TraceFormat.guess(path: "trace.gz"))
        XCTAssertNil(TraceFormat.guess(path: "trace.nsys-rep"))
    }

    func testExplicitFormatOverridesExtension() throws {
        // A Kineto file forced through the nsys reader fails on its header, naming the file.
        assertSimulatorError(
            try TraceImporter.importTrace(at: TraceFixtures.kinetoJSON, format: .nsys, nameMap: .empty),
            source: TraceFixtures.kinetoJSON, contains: ["missing required column"])
    }
}
