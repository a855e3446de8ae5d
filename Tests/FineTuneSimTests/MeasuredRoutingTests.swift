import XCTest

@testable import FineTuneSim

/// The shipped measured expert loads (a CSV with CRLF line ends) load and route a step.
final class MeasuredRoutingTests: XCTestCase {
    func testShippedLoadsReadAcrossLineEndings() throws {
        let text = try String(contentsOfFile: packageRoot + "/Configs/routing/expert_tokens.csv", encoding: .utf8)
        XCTAssertTrue(text.contains("\r\n"), "the shipped file has CRLF line ends: the reader must split them")
        let loads = try MeasuredRouting.loads(catalog: catalog, model: "mixtral-8x7b", dataset: nil)
        XCTAssertEqual(loads.count, 8)
        XCTAssertTrue(loads.allSatisfy { $0 > 0 })
        XCTAssertThrowsError(try MeasuredRouting.loads(catalog: catalog, model: "no-such-model", dataset: nil))
    }
}
