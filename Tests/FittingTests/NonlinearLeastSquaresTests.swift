import Foundation
import XCTest

@testable import Fitting

/// A deterministic stand-in for measurement noise, roughly uniform in [-1, 1].
private func noise(_ i: Int) -> Double {
    sin(Double(i) * 12.9898 + 78.233) * 0.9 + cos(Double(i) * 4.1414) * 0.1
}

private struct Boom: Error, CustomStringConvertible {
    var description: String { "boom at the model" }
}

final class NonlinearLeastSquaresTests: XCTestCase {
    func testLogFitOnExactDataRecoversParameters() throws {
        let x = (1...10).map(Double.init)
        let y = x.map { 2 * log($0) + 1 }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: x.count, initial: [1, 0], names: ["a", "b"]
        ) { p, r in
            for i in x.indices { r[i] = p[0] * log(x[i]) + p[1] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertTrue(fit.converged)
        XCTAssertTrue(fit.stopReason.isConvergence)
        XCTAssertEqual(fit.parameters[0], 2, accuracy: 1e-6)
        XCTAssertEqual(fit.parameters[1], 1, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(fit.parameter(named: "a")), 2, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(fit.parameter(named: "b")), 1, accuracy: 1e-6)
        XCTAssertNil(fit.parameter(named: "c"))
        XCTAssertEqual(fit.degreesOfFreedom, 8)
        XCTAssertLessThan(fit.chiSquared, 1e-12)
        XCTAssertEqual(fit.residuals.count, x.count)
        XCTAssertGreaterThan(fit.iterations, 0)
        // At least one evaluation per iteration plus p for each finite-difference Jacobian.
        XCTAssertGreaterThan(fit.functionEvaluations, fit.iterations)
    }

    func testLinearFitStandardErrorsMatchAnalyticOnes() throws {
        let n = 25
        let x = (0..<n).map { Double($0) * 0.5 }
        let y = x.indices.map { 3.0 - 0.7 * x[$0] + 0.3 * noise($0) }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: n, initial: [0, 0]
        ) { p, r in
            for i in x.indices { r[i] = p[0] + p[1] * x[i] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)

        // Ordinary least squares by hand.
        let xm = x.reduce(0, +) / Double(n)
        let ym = y.reduce(0, +) / Double(n)
        let sxx = x.reduce(0) { $0 + ($1 - xm) * ($1 - xm) }
        let sxy = x.indices.reduce(0) { $0 + (x[$1] - xm) * (y[$1] - ym) }
        let slope = sxy / sxx
        let intercept = ym - slope * xm
        let ssr = x.indices.reduce(0) { acc, i in
            let e = y[i] - intercept - slope * x[i]
            return acc + e * e
        }
        let s2 = ssr / Double(n - 2)
        let seSlope = (s2 / sxx).squareRoot()
        let seIntercept = (s2 * (1 / Double(n) + xm * xm / sxx)).squareRoot()
        let covInterceptSlope = -xm * s2 / sxx

        XCTAssertTrue(fit.converged)
        assertRelative(fit.parameters[0], intercept, 1e-6)
        assertRelative(fit.parameters[1], slope, 1e-6)
        assertRelative(fit.chiSquared, ssr, 1e-6)
        assertRelative(fit.standardErrors[0], seIntercept, 1e-6)
        assertRelative(fit.standardErrors[1], seSlope, 1e-6)
        assertRelative(fit.covariance[0][1], covInterceptSlope, 1e-6)
        assertRelative(fit.covariance[1][0], covInterceptSlope, 1e-6)
        assertRelative(fit.reducedChiSquared, s2, 1e-6)
        for i in x.indices {
            XCTAssertEqual(fit.residuals[i], intercept + slope * x[i] - y[i], accuracy: 1e-9)
        }
    }

    func testExponentialDecayConvergesFromPoorStart() throws {
        let t = (0..<40).map { Double($0) * 0.25 }
        let y = t.indices.map { 5 * exp(-0.4 * t[$0]) + 1 + 0.01 * noise($0) }
        let problem = LeastSquaresProblem(
            parameterCount: 3, residualCount: t.count, initial: [1, 2, 0],
            names: ["amplitude", "rate", "offset"]
        ) { p, r in
            for i in t.indices { r[i] = p[0] * exp(-p[1] * t[i]) + p[2] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertTrue(fit.converged, "stopped by \(fit.stopReason)")
        XCTAssertEqual(fit.parameters[0], 5, accuracy: 0.02)
        XCTAssertEqual(fit.parameters[1], 0.4, accuracy: 0.005)
        XCTAssertEqual(fit.parameters[2], 1, accuracy: 0.02)
        XCTAssertEqual(fit.covariance.count, 3)
        XCTAssertTrue(fit.standardErrors.allSatisfy { $0 > 0 && $0 < 0.02 })
        // The true parameters lie within a few standard errors.
        for (value, (truth, se)) in zip(fit.parameters, zip([5.0, 0.4, 1.0], fit.standardErrors)) {
            XCTAssertLessThan(abs(value - truth), 5 * se)
        }
    }

    func testWeightedLinearFitMatchesWeightedNormalEquations() throws {
        let n = 20
        let x = (0..<n).map(Double.init)
        let sigma = x.map { 0.1 + 0.05 * $0 }
        let w = sigma.map { 1 / ($0 * $0) }
        let y = x.indices.map { 2 + 0.5 * x[$0] + sigma[$0] * noise($0) }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: n, initial: [0, 0], weights: w
        ) { p, r in
            for i in x.indices { r[i] = p[0] + p[1] * x[i] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)

        // (XᵀWX)⁻¹ XᵀWy by hand for X = [1 x].
        let s = w.reduce(0, +)
        let sx = x.indices.reduce(0) { $0 + w[$1] * x[$1] }
        let sxx = x.indices.reduce(0) { $0 + w[$1] * x[$1] * x[$1] }
        let sy = x.indices.reduce(0) { $0 + w[$1] * y[$1] }
        let sxy = x.indices.reduce(0) { $0 + w[$1] * x[$1] * y[$1] }
        let det = s * sxx - sx * sx
        let intercept = (sxx * sy - sx * sxy) / det
        let slope = (s * sxy - sx * sy) / det
        let chi2 = x.indices.reduce(0) { acc, i in
            let e = y[i] - intercept - slope * x[i]
            return acc + w[i] * e * e
        }

        XCTAssertTrue(fit.converged)
        assertRelative(fit.parameters[0], intercept, 1e-6)
        assertRelative(fit.parameters[1], slope, 1e-6)
        assertRelative(fit.chiSquared, chi2, 1e-6)
        // Weights are 1/σ²: the covariance is (XᵀWX)⁻¹, not rescaled.
        assertRelative(fit.covariance[0][0], sxx / det, 1e-6)
        assertRelative(fit.covariance[1][1], s / det, 1e-6)
        assertRelative(fit.covariance[0][1], -sx / det, 1e-6)
        assertRelative(fit.standardErrors[1], (s / det).squareRoot(), 1e-6)
        // Residuals are reported unweighted.
        for i in x.indices {
            XCTAssertEqual(fit.residuals[i], intercept + slope * x[i] - y[i], accuracy: 1e-9)
        }
    }

    func testIterationLimitReturnsUnconvergedResultWithoutThrowing() throws {
        let t = (0..<40).map { Double($0) * 0.25 }
        let y = t.map { 5 * exp(-0.4 * $0) + 1 }
        let problem = LeastSquaresProblem(
            parameterCount: 3, residualCount: t.count, initial: [1, 2, 0], maxIterations: 1
        ) { p, r in
            for i in t.indices { r[i] = p[0] * exp(-p[1] * t[i]) + p[2] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertFalse(fit.converged)
        XCTAssertEqual(fit.stopReason, .maxIterations)
        XCTAssertEqual(fit.iterations, 1)
        XCTAssertEqual(fit.parameters.count, 3)
        XCTAssertTrue(fit.parameters.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(fit.chiSquared, 1e-6)
    }

    func testStartAtExactSolutionCountsAsConverged() throws {
        let x = (1...10).map(Double.init)
        let y = x.map { 2 * log($0) + 1 }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: x.count, initial: [2, 1]
        ) { p, r in
            for i in x.indices { r[i] = p[0] * log(x[i]) + p[1] - y[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertTrue(fit.converged)
        XCTAssertEqual(fit.stopReason, .gtol)
        XCTAssertEqual(fit.chiSquared, 0, accuracy: 1e-20)
        XCTAssertEqual(fit.parameters[0], 2, accuracy: 1e-12)
        XCTAssertEqual(fit.parameters[1], 1, accuracy: 1e-12)
    }

    func testParameterThatDoesNotMatterStillFits() throws {
        // The residuals do not depend on p[1]: a rank-deficient Jacobian.
        let x = (1...6).map(Double.init)
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: x.count, initial: [0, 7]
        ) { p, r in
            for i in x.indices { r[i] = p[0] * x[i] - 2 * x[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertEqual(fit.parameters[0], 2, accuracy: 1e-8)
        XCTAssertEqual(fit.parameters[1], 7)
        XCTAssertEqual(fit.standardErrors[1], .infinity)
        XCTAssertTrue(fit.covariance[0][1].isNaN)
        XCTAssertTrue(fit.standardErrors[0].isFinite)
    }

    func testThrowingResidualRethrowsResidualFailed() {
        let problem = LeastSquaresProblem(
            parameterCount: 1, residualCount: 3, initial: [1]
        ) { _, _ in
            throw Boom()
        }
        XCTAssertThrowsError(try NonlinearLeastSquares.fit(problem)) { error in
            XCTAssertEqual(error as? FittingError, .residualFailed("boom at the model"))
        }
    }

    func testResidualThrowingMidFitStopsTheFit() {
        let x = (1...10).map(Double.init)
        let y = x.map { 2 * log($0) + 1 }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: x.count, initial: [1, 0]
        ) { p, r in
            if p[0] > 1.5 { throw Boom() }
            for i in x.indices { r[i] = p[0] * log(x[i]) + p[1] - y[i] }
        }
        XCTAssertThrowsError(try NonlinearLeastSquares.fit(problem)) { error in
            guard case .residualFailed(let message) = (error as? FittingError)?.kind else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(message, "boom at the model")
        }
    }

    func testNonFiniteResidualThrows() {
        let problem = LeastSquaresProblem(
            parameterCount: 1, residualCount: 3, initial: [1]
        ) { p, r in
            r = [p[0], .nan, 1]
        }
        XCTAssertThrowsError(try NonlinearLeastSquares.fit(problem)) { error in
            XCTAssertEqual(error as? FittingError, .nonFiniteResidual(index: 1))
        }
    }

    func testResidualCountChangeThrows() {
        let problem = LeastSquaresProblem(
            parameterCount: 1, residualCount: 3, initial: [1]
        ) { p, r in
            r = [p[0]]
        }
        XCTAssertThrowsError(try NonlinearLeastSquares.fit(problem)) { error in
            guard case .residualFailed = (error as? FittingError)?.kind else {
                return XCTFail("unexpected error \(error)")
            }
        }
    }

    func testInvalidProblemsThrow() {
        let ok: LeastSquaresProblem.Residual = { p, r in
            for i in r.indices { r[i] = p[0] - Double(i) }
        }
        let cases: [(String, LeastSquaresProblem)] = [
            (
                "fewer residuals",
                LeastSquaresProblem(parameterCount: 3, residualCount: 2, initial: [0, 0, 0], residual: ok)
            ),
            ("no parameters", LeastSquaresProblem(parameterCount: 0, residualCount: 2, initial: [], residual: ok)),
            ("initial count", LeastSquaresProblem(parameterCount: 2, residualCount: 4, initial: [0], residual: ok)),
            (
                "non-finite initial",
                LeastSquaresProblem(parameterCount: 1, residualCount: 4, initial: [.nan], residual: ok)
            ),
            (
                "infinite initial",
                LeastSquaresProblem(parameterCount: 1, residualCount: 4, initial: [.infinity], residual: ok)
            ),
            (
                "weights count",
                LeastSquaresProblem(parameterCount: 1, residualCount: 4, initial: [0], weights: [1, 1], residual: ok)
            ),
            (
                "negative weight",
                LeastSquaresProblem(parameterCount: 1, residualCount: 2, initial: [0], weights: [1, -1], residual: ok)
            ),
            (
                "names count",
                LeastSquaresProblem(parameterCount: 1, residualCount: 2, initial: [0], names: ["a", "b"], residual: ok)
            ),
            (
                "max iterations",
                LeastSquaresProblem(parameterCount: 1, residualCount: 2, initial: [0], maxIterations: 0, residual: ok)
            ),
            (
                "tolerance",
                LeastSquaresProblem(parameterCount: 1, residualCount: 2, initial: [0], xtol: -1, residual: ok)
            ),
        ]
        for (label, problem) in cases {
            XCTAssertThrowsError(try NonlinearLeastSquares.fit(problem), label) { error in
                guard case .invalidProblem = (error as? FittingError)?.kind else {
                    return XCTFail("\(label): unexpected error \(error)")
                }
            }
        }
    }

    func testSquareProblemHasNaNCovarianceWhenUnweighted() throws {
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: 2, initial: [0, 0]
        ) { p, r in
            r[0] = p[0] + p[1] - 3
            r[1] = p[0] - p[1] - 1
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        XCTAssertEqual(fit.degreesOfFreedom, 0)
        XCTAssertEqual(fit.parameters[0], 2, accuracy: 1e-8)
        XCTAssertEqual(fit.parameters[1], 1, accuracy: 1e-8)
        XCTAssertTrue(fit.standardErrors.allSatisfy(\.isNaN))
        XCTAssertTrue(fit.reducedChiSquared.isNaN)
    }

    func testConcurrentFitsAgree() throws {
        let x = (1...30).map(Double.init)
        let y = x.indices.map { 1.5 * log(x[$0]) - 0.5 + 0.05 * noise($0) }
        let problem = LeastSquaresProblem(
            parameterCount: 2, residualCount: x.count, initial: [0, 0]
        ) { p, r in
            for i in x.indices { r[i] = p[0] * log(x[i]) + p[1] - y[i] }
        }
        let reference = try NonlinearLeastSquares.fit(problem)
        let results = Results(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            results.set(i, try? NonlinearLeastSquares.fit(problem))
        }
        for fit in results.all {
            XCTAssertEqual(fit, reference)
        }
    }

    func testErrorDescriptionsAreOneLine() {
        let errors: [FittingError] = [
            .invalidProblem("x"), .allocationFailed("y"), .residualFailed("z"),
            .nonFiniteResidual(index: 2), .gslFailure(status: 9, message: "m"),
        ]
        for error in errors {
            XCTAssertFalse(error.description.isEmpty)
            XCTAssertFalse(error.description.contains("\n"))
        }
        XCTAssertEqual(
            FittingError.residualFailed("boom").description, "residual function failed: boom")
    }

    private func assertRelative(
        _ actual: Double, _ expected: Double, _ tolerance: Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let scale = max(abs(expected), Double.leastNormalMagnitude)
        XCTAssertLessThanOrEqual(
            abs(actual - expected) / scale, tolerance, "\(actual) vs \(expected)", file: file, line: line)
    }
}

/// Collects results from concurrent fits.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [LeastSquaresFit?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ fit: LeastSquaresFit?) {
        lock.withLock { values[index] = fit }
    }

    var all: [LeastSquaresFit?] { lock.withLock { values } }
}
