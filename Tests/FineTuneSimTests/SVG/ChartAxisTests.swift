import Foundation
import XCTest

@testable import FineTuneSim

final class ChartAxisTests: XCTestCase {
    private func mantissa(_ step: Double) -> Double {
        let m = step / ChartNumberFormat.powerOfTen(ChartNumberFormat.decimalExponent(step))
        return (m * 1000).rounded() / 1000
    }

    func testNiceTicksUseOneTwoFiveStepsAndCoverTheRange() {
        let ranges: [(Double, Double)] = [
            (0, 9.3), (-3.7, 12.1), (0.0012, 0.0047), (1e6, 3.2e9), (17, 17.5),
            (-250, -3), (0.5, 0.51), (-1e-6, 1e-6), (3, 1e4),
        ]
        for (lo, hi) in ranges {
            for target in [2, 4, 6, 9] {
                let (step, ticks) = ChartAxis.niceTicks(min: lo, max: hi, targetCount: target)
                XCTAssertTrue([1, 2, 5].contains(mantissa(step)), "step \(step) for \(lo)...\(hi)")
                XCTAssertGreaterThanOrEqual(ticks.count, 2)
                XCTAssertLessThanOrEqual(ticks.first!, lo, "\(lo)...\(hi) target \(target)")
                XCTAssertGreaterThanOrEqual(ticks.last!, hi, "\(lo)...\(hi) target \(target)")
                for (a, b) in zip(ticks, ticks.dropFirst()) {
                    XCTAssertEqual(b - a, step, accuracy: step * 1e-9)
                }
                // Each tick is an integer multiple of the step.
                for t in ticks {
                    XCTAssertEqual((t / step).rounded(), t / step, accuracy: 1e-6)
                }
                XCTAssertLessThanOrEqual(ticks.count, 2 * target + 1)
            }
        }
    }

    func testNiceTickExactValues() {
        XCTAssertEqual(ChartAxis.niceTicks(min: 0, max: 10, targetCount: 6).ticks, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(
            ChartAxis.niceTicks(min: 0.1, max: 0.35, targetCount: 6).ticks,
            [0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
        XCTAssertEqual(ChartAxis.niceTicks(min: -3.7, max: 12.1, targetCount: 5).ticks, [-5, 0, 5, 10, 15])
        let axis = ChartAxis.linear(dataMin: 0.1, dataMax: 0.35)
        XCTAssertEqual(axis.tickLabels, ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
    }

    func testDegenerateLinearRanges() {
        let equal = ChartAxis.linear(dataMin: 5, dataMax: 5)
        XCTAssertLessThan(equal.lower, 5)
        XCTAssertGreaterThan(equal.upper, 5)
        let zero = ChartAxis.linear(dataMin: 0, dataMax: 0)
        XCTAssertLessThanOrEqual(zero.lower, -1)
        XCTAssertGreaterThanOrEqual(zero.upper, 1)
        let bad = ChartAxis.linear(dataMin: .nan, dataMax: .infinity)
        XCTAssertEqual(bad.lower, 0)
        XCTAssertEqual(bad.upper, 1)
        XCTAssertEqual(ChartAxis.linear(dataMin: 3, dataMax: 7, includeZero: true).lower, 0)
    }

    func testLogTicksAreDecades() {
        let axis = ChartAxis.logarithmic(dataMin: 0.03, dataMax: 4500)
        XCTAssertEqual(axis.ticks, [0.01, 0.1, 1, 10, 100, 1000, 10000])
        XCTAssertEqual(axis.lower, 0.01)
        XCTAssertEqual(axis.upper, 10000)
        XCTAssertEqual(axis.tickLabels, ["0.01", "0.1", "1", "10", "100", "1000", "10000"])
        XCTAssertEqual(axis.minorTicks.count, 6 * 8)
        for t in axis.ticks { XCTAssertEqual(log10(t), log10(t).rounded(), accuracy: 1e-12) }

        let wide = ChartAxis.logarithmic(dataMin: 1e-3, dataMax: 1e15, maxTickCount: 6)
        XCTAssertLessThanOrEqual(wide.ticks.count, 6)
        XCTAssertGreaterThanOrEqual(wide.ticks.count, 2)
        for t in wide.ticks { XCTAssertEqual(log10(t), log10(t).rounded(), accuracy: 1e-12) }
        XCTAssertTrue(wide.minorTicks.isEmpty)

        let single = ChartAxis.logarithmic(dataMin: 100, dataMax: 100)
        XCTAssertEqual(single.ticks, [10, 100, 1000])

        let si = ChartAxis.logarithmic(dataMin: 2e11, dataMax: 9e14, labelStyle: .si)
        XCTAssertEqual(si.tickLabels, ["100 G", "1 T", "10 T", "100 T", "1 P"])
    }

    func testLinearLabelStyles() {
        let big = ChartAxis.linear(dataMin: 0, dataMax: 8e6, targetTickCount: 5)
        XCTAssertEqual(big.tickLabels, ["0", "2e6", "4e6", "6e6", "8e6"])
        let si = ChartAxis.linear(dataMin: 0, dataMax: 1.5e9, targetTickCount: 4, labelStyle: .si)
        XCTAssertEqual(si.tickLabels, ["0", "500 M", "1 G", "1.5 G"])
        let small = ChartAxis.linear(dataMin: -0.5, dataMax: 0.5, targetTickCount: 5)
        XCTAssertEqual(small.tickLabels, ["-0.5", "0", "0.5"])
        let tenths = ChartAxis.linear(dataMin: 2.7, dataMax: 3.3, targetTickCount: 7)
        XCTAssertEqual(tenths.tickLabels, ["2.7", "2.8", "2.9", "3.0", "3.1", "3.2", "3.3"])
    }

    func testFractions() {
        let lin = ChartAxis.linear(dataMin: 0, dataMax: 10)
        XCTAssertEqual(lin.fraction(5), 0.5)
        let log = ChartAxis.logarithmic(dataMin: 1, dataMax: 100)
        XCTAssertEqual(log.fraction(10), 0.5, accuracy: 1e-12)
        XCTAssertFalse(log.accepts(0))
        XCTAssertFalse(lin.accepts(.nan))
        XCTAssertTrue(lin.accepts(-3))
    }
}
