/// A nonlinear least-squares problem: find the parameters `θ` that minimize
/// `Σ wᵢ · rᵢ(θ)²`, where the residuals `rᵢ` come from ``residual`` and the
/// weights `wᵢ` from ``weights`` (all 1 when `weights` is `nil`).
///
/// Solve it with ``NonlinearLeastSquares/fit(_:)``.
public struct LeastSquaresProblem: Sendable {
    /// Computes the residuals at a parameter vector.
    ///
    /// The closure receives the `parameterCount` parameters and an array of
    /// `residualCount` elements (zero-filled) to overwrite with the residuals,
    /// typically `model(xᵢ; θ) − yᵢ`. It must not change the array's length and
    /// must write finite values. An error it throws stops the fit, and
    /// ``NonlinearLeastSquares/fit(_:)`` throws ``FittingError/Kind/residualFailed(_:)``
    /// carrying the error's description.
    public typealias Residual =
        @Sendable (_ parameters: [Double], _ residuals: inout [Double]) throws -> Void

    /// The number of parameters `p` to fit (at least 1).
    public var parameterCount: Int
    /// The number of residuals `n`; must be at least ``parameterCount``.
    public var residualCount: Int
    /// The starting point: `parameterCount` finite values.
    public var initial: [Double]
    /// Optional parameter names, `parameterCount` of them, carried into the result.
    public var names: [String]?
    /// The residual function; see ``Residual``.
    public var residual: Residual
    /// Optional per-residual weights, `residualCount` finite values `≥ 0`.
    ///
    /// They are taken as inverse variances, `wᵢ = 1/σᵢ²`: the fit minimizes
    /// `Σ wᵢ rᵢ²` and the reported covariance is *not* rescaled by the reduced
    /// chi-squared (see ``LeastSquaresFit/covariance``). `nil` means unweighted.
    public var weights: [Double]?
    /// The most trust-region iterations to take (at least 1); default 200.
    public var maxIterations: Int
    /// Step tolerance: the fit has converged when every parameter step satisfies
    /// `|δθⱼ| ≤ xtol · (|θⱼ| + xtol)`. Default `1e-8`.
    public var xtol: Double
    /// Gradient tolerance: the fit has converged when the scaled gradient norm is at
    /// most `gtol · max(½‖r‖², 1)`. Default `1e-8`.
    public var gtol: Double
    /// Relative cost-change tolerance, passed to GSL's convergence test.
    /// Default `1e-8`. GSL 2.7's test does not act on it, so in practice fits stop
    /// on ``xtol`` or ``gtol``.
    public var ftol: Double

    /// The default maximum number of iterations.
    public static let defaultMaxIterations = 200
    /// The default step tolerance ``xtol``.
    public static let defaultXtol = 1e-8
    /// The default gradient tolerance ``gtol``.
    public static let defaultGtol = 1e-8
    /// The default cost-change tolerance ``ftol``.
    public static let defaultFtol = 1e-8

    /// Creates a problem. Nothing is validated here; ``NonlinearLeastSquares/fit(_:)``
    /// checks the sizes and values and throws ``FittingError/Kind/invalidProblem(_:)``.
    ///
    /// - Parameters:
    ///   - parameterCount: The number of parameters `p`.
    ///   - residualCount: The number of residuals `n ≥ p`.
    ///   - initial: The starting point, `p` values.
    ///   - names: Optional parameter names, `p` of them.
    ///   - weights: Optional inverse-variance weights, `n` of them.
    ///   - maxIterations: The iteration limit.
    ///   - xtol: The step tolerance.
    ///   - gtol: The gradient tolerance.
    ///   - ftol: The cost-change tolerance.
    ///   - residual: The residual function.
    public init(
        parameterCount: Int,
        residualCount: Int,
        initial: [Double],
        names: [String]? = nil,
        weights: [Double]? = nil,
        maxIterations: Int = LeastSquaresProblem.defaultMaxIterations,
        xtol: Double = LeastSquaresProblem.defaultXtol,
        gtol: Double = LeastSquaresProblem.defaultGtol,
        ftol: Double = LeastSquaresProblem.defaultFtol,
        residual: @escaping Residual
    ) {
        self.parameterCount = parameterCount
        self.residualCount = residualCount
        self.initial = initial
        self.names = names
        self.weights = weights
        self.maxIterations = maxIterations
        self.xtol = xtol
        self.gtol = gtol
        self.ftol = ftol
        self.residual = residual
    }

    /// Checks sizes and values.
    ///
    /// - Throws: ``FittingError/Kind/invalidProblem(_:)`` naming the first problem found.
    public func validate() throws(FittingError) {
        guard parameterCount >= 1 else {
            throw .invalidProblem("parameterCount is \(parameterCount); it must be at least 1")
        }
        guard residualCount >= parameterCount else {
            throw .invalidProblem(
                "residualCount \(residualCount) is less than parameterCount \(parameterCount)")
        }
        guard initial.count == parameterCount else {
            throw .invalidProblem(
                "initial has \(initial.count) values but parameterCount is \(parameterCount)")
        }
        if let index = initial.firstIndex(where: { !$0.isFinite }) {
            throw .invalidProblem("initial[\(index)] is \(initial[index]); it must be finite")
        }
        if let names, names.count != parameterCount {
            throw .invalidProblem(
                "names has \(names.count) entries but parameterCount is \(parameterCount)")
        }
        if let weights {
            guard weights.count == residualCount else {
                throw .invalidProblem(
                    "weights has \(weights.count) values but residualCount is \(residualCount)")
            }
            if let index = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
                throw .invalidProblem(
                    "weights[\(index)] is \(weights[index]); it must be finite and non-negative")
            }
        }
        guard maxIterations >= 1 else {
            throw .invalidProblem("maxIterations is \(maxIterations); it must be at least 1")
        }
        for (name, value) in [("xtol", xtol), ("gtol", gtol), ("ftol", ftol)]
        where !(value.isFinite && value >= 0) {
            throw .invalidProblem("\(name) is \(value); it must be finite and non-negative")
        }
    }
}
