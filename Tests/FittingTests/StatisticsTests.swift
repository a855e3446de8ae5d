import XCTest

@testable import Fitting

final class StatisticsTests: XCTestCase {
    func testMeanAndSampleStandardDeviation() {
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        XCTAssertEqual(Statistics.mean(values), 5, accuracy: 1e-15)
        XCTAssertEqual(Statistics.standardDeviation(values), (32.0 / 7).squareRoot(), accuracy: 1e-12)
    }

    func testTooFewValuesGiveNaN() {
        XCTAssertTrue(Statistics.mean([]).isNaN)
        XCTAssertTrue(Statistics.standardDeviation([3]).isNaN)
        XCTAssertEqual(Statistics.mean([3]), 3)
    }
}
