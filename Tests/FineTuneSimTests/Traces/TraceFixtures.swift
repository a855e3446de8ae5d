import Foundation
import XCTest

@testable import FineTuneSim

/// Paths to the trace fixtures and the shipped kernel-name map, found from this file's location
/// (tests run from the package root, with the sources present).
enum TraceFixtures {
    /// Tests/FineTuneSimTests
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    /// Tests/FineTuneSimTests/Fixtures/traces
    static let directory = testsDirectory.appendingPathComponent("Fixtures/traces")
    /// The package root.
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Configs/kernel-kinds.yaml
    static let kernelKindsPath = packageRoot.appendingPathComponent("Configs/kernel-kinds.yaml").path

    /// The real 25.8 MB HolisticTraceAnalysis trace from shared/reference/traces (not copied into the repo),
    /// looked for in shared/ inside or beside the package root; nil when absent.
    static var sharedHTATrace: String? {
        let relative = "reference/traces/hta_a100_training_rank0.json.gz"
        return [packageRoot.appendingPathComponent("shared"), packageRoot.deletingLastPathComponent().appendingPathComponent("shared")]
            .map { $0.appendingPathComponent(relative).path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static var kinetoJSON: String { path("kineto_small.json") }
    static var kinetoGzip: String { path("kineto_small.json.gz") }
    static var nsysCSV: String { path("nsys_kern_sum.csv") }

    /// The shipped map.
    static func shippedMap() throws -> KernelNameMap { try KernelNameMap.load(path: kernelKindsPath) }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ftsim-traces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes `contents` to a file named `name` in a fresh temporary directory and returns its path.
    static func write(_ test: XCTestCase, _ name: String, _ contents: Data) throws -> String {
        let url = try temporaryDirectory(test).appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    static func write(_ test: XCTestCase, _ name: String, _ text: String) throws -> String {
        try write(test, name, Data(text.utf8))
    }
}

/// Asserts that `body` throws a one-line ``SimulatorError`` with this source and key whose message
/// contains every string in `contains`.
func assertSimulatorError<T>(
    _ body: @autoclosure () throws -> T,
    source: String,
    key: String? = nil,
    contains: [String] = [],
    file: StaticString = #filePath,
    line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected a SimulatorError", file: file, line: line)
    } catch let error as SimulatorError {
        XCTAssertEqual(error.source, source, "source of: \(error)", file: file, line: line)
        if let key { XCTAssertEqual(error.key, key, "key of: \(error)", file: file, line: line) }
        for part in contains {
            XCTAssertTrue(error.description.contains(part), "'\(error)' should contain '\(part)'", file: file, line: line)
        }
        XCTAssertFalse(error.description.contains("\n"), "error should be one line: \(error)", file: file, line: line)
    } catch {
        XCTFail("expected a SimulatorError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}
