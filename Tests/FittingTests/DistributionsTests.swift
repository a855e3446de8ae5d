import XCTest

@testable import Fitting

final class DistributionsTests: XCTestCase {
    func testNormalQuantile() {
        XCTAssertEqual(Distributions.normalQuantile(0.975), 1.959964, accuracy: 1e-6)
        XCTAssertEqual(Distributions.normalQuantile(0.5), 0, accuracy: 1e-15)
        XCTAssertEqual(Distributions.normalQuantile(0.025), -1.959964, accuracy: 1e-6)
        XCTAssertEqual(Distributions.normalQuantile(1), .infinity)
        XCTAssertTrue(Distributions.normalQuantile(1.5).isNaN)
        XCTAssertTrue(Distributions.normalQuantile(.nan).isNaN)
    }

    func testStudentTQuantile() {
        XCTAssertEqual(Distributions.studentTQuantile(0.975, degreesOfFreedom: 10), 2.228139, accuracy: 1e-6)
        XCTAssertEqual(Distributions.studentTQuantile(0.95, degreesOfFreedom: 1), 6.313752, accuracy: 1e-6)
        XCTAssertTrue(Distributions.studentTQuantile(0.975, degreesOfFreedom: 0).isNaN)
        XCTAssertTrue(Distributions.studentTQuantile(-0.1, degreesOfFreedom: 5).isNaN)
    }

    func testChiSquaredQuantile() {
        XCTAssertEqual(Distributions.chiSquaredQuantile(0.95, degreesOfFreedom: 1), 3.841459, accuracy: 1e-6)
        XCTAssertEqual(Distributions.chiSquaredQuantile(0.95, degreesOfFreedom: 10), 18.307038, accuracy: 1e-6)
        XCTAssertEqual(Distributions.chiSquaredQuantile(0, degreesOfFreedom: 3), 0)
        // GSL's handler would abort on these; the wrapper returns NaN instead.
        XCTAssertTrue(Distributions.chiSquaredQuantile(1.2, degreesOfFreedom: 3).isNaN)
        XCTAssertTrue(Distributions.chiSquaredQuantile(0.5, degreesOfFreedom: -3).isNaN)
    }
}
