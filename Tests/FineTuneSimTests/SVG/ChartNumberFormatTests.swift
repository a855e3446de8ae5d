import XCTest

@testable import FineTuneSim

final class ChartNumberFormatTests: XCTestCase {
    func testFixedAndTrimmed() {
        XCTAssertEqual(ChartNumberFormat.fixed(3.14159, decimals: 2), "3.14")
        XCTAssertEqual(ChartNumberFormat.fixed(-0.0001, decimals: 2), "0.00")
        XCTAssertEqual(ChartNumberFormat.fixed(0.05, decimals: 3), "0.050")
        XCTAssertEqual(ChartNumberFormat.fixed(-12.5, decimals: 0), "-13")
        XCTAssertEqual(ChartNumberFormat.fixed(.nan, decimals: 2), "NaN")
        XCTAssertEqual(ChartNumberFormat.trimmed(2.50, maxDecimals: 3), "2.5")
        XCTAssertEqual(ChartNumberFormat.trimmed(3.0, maxDecimals: 3), "3")
        XCTAssertEqual(ChartNumberFormat.coordinate(123.456), "123.46")
        XCTAssertEqual(ChartNumberFormat.coordinate(-0.001), "0")
        XCTAssertEqual(ChartNumberFormat.coordinate(1e20), "1e20")
    }

    func testSignificantAndScientific() {
        XCTAssertEqual(ChartNumberFormat.significant(0.012345, digits: 3), "0.0123")
        XCTAssertEqual(ChartNumberFormat.significant(123456, digits: 3), "123000")
        XCTAssertEqual(ChartNumberFormat.significant(9.9996, digits: 3), "10")
        XCTAssertEqual(ChartNumberFormat.scientific(2.5e-4, significant: 3), "2.5e-4")
        XCTAssertEqual(ChartNumberFormat.scientific(9.9996e7, significant: 3), "1e8")
        XCTAssertEqual(ChartNumberFormat.scientific(-1.5e7, significant: 2), "-1.5e7")
    }

    func testSI() {
        XCTAssertEqual(ChartNumberFormat.si(1e12), "1 T")
        XCTAssertEqual(ChartNumberFormat.si(1e11), "100 G")
        XCTAssertEqual(ChartNumberFormat.si(4.8e12, unit: "B/s"), "4.8 TB/s")
        XCTAssertEqual(ChartNumberFormat.si(989.4e12, unit: "FLOP/s"), "989 TFLOP/s")
        XCTAssertEqual(ChartNumberFormat.si(999.96e3), "1 M")
        XCTAssertEqual(ChartNumberFormat.si(0.0123, unit: "s"), "12.3 ms")
        XCTAssertEqual(ChartNumberFormat.si(100), "100")
        XCTAssertEqual(ChartNumberFormat.si(0, unit: "s"), "0 s")
        XCTAssertEqual(ChartNumberFormat.si(-2e-6, unit: "s"), "-2 \u{00B5}s")
    }

    func testDecimalExponent() {
        XCTAssertEqual(ChartNumberFormat.decimalExponent(1000), 3)
        XCTAssertEqual(ChartNumberFormat.decimalExponent(999.999), 2)
        XCTAssertEqual(ChartNumberFormat.decimalExponent(0.001), -3)
        XCTAssertEqual(ChartNumberFormat.decimalExponent(0.00099), -4)
        XCTAssertEqual(ChartNumberFormat.decimalExponent(-5e300), 300)
    }

    func testEscape() {
        XCTAssertEqual(SVGDocument.escape("a<b & c>d \"q\" 'r'"), "a&lt;b &amp; c&gt;d &quot;q&quot; &apos;r&apos;")
        XCTAssertEqual(SVGDocument.escape("bell\u{07}"), "bell\u{FFFD}")
    }
}
