/// The result of ``NonlinearLeastSquares/fit(_:)``: the best parameters found,
/// their uncertainties, and how the solver stopped.
public struct LeastSquaresFit: Sendable, Equatable {
    /// Why the trust-region solver stopped.
    public enum StopReason: String, Sendable, Equatable, CaseIterable {
        /// Converged: the parameter step fell below ``LeastSquaresProblem/xtol``.
        case xtol
        /// Converged: the gradient fell below ``LeastSquaresProblem/gtol``.
        case gtol
        /// Converged: the cost change fell below ``LeastSquaresProblem/ftol``
        /// (GSL 2.7 does not report this; kept for other GSL versions).
        case ftol
        /// Not converged: ``LeastSquaresProblem/maxIterations`` iterations were taken.
        case maxIterations
        /// Not converged: the first iteration found no step that lowers the cost, and
        /// the start does not pass the gradient test either (a start that does, such
        /// as the exact solution, is reported as ``gtol``).
        case noProgress

        /// Whether this reason means the fit converged.
        public var isConvergence: Bool {
            switch self {
            case .xtol, .gtol, .ftol: return true
            case .maxIterations, .noProgress: return false
            }
        }
    }

    /// The parameters at the solution (the best point found when not converged).
    public var parameters: [Double]
    /// The parameter names from ``LeastSquaresProblem/names``, if any.
    public var names: [String]?
    /// One standard error per parameter: the square roots of the diagonal of ``covariance``
    /// (`+∞` for a parameter the data do not determine).
    public var standardErrors: [Double]
    /// The `p × p` parameter covariance matrix, row-major, `covariance[i][j]`.
    ///
    /// It is `s² (JᵀWJ)⁻¹` with the Jacobian `J` (finite differences) at the solution.
    /// - Unweighted problems: `s² = chiSquared / degreesOfFreedom`, the usual estimate
    ///   of the noise variance from the residuals (no `max(1, …)` floor). With zero
    ///   degrees of freedom it is NaN, and so are the covariance and standard errors.
    /// - Weighted problems: the weights are taken as `1/σᵢ²` with known `σᵢ`, so
    ///   `s² = 1` and the covariance is not rescaled. Compare ``reducedChiSquared``
    ///   with 1 to judge whether those `σᵢ` were realistic.
    ///
    /// A parameter that the data do not determine (its Jacobian column is zero or
    /// a combination of the others, so `gsl_multifit_nlinear_covar` leaves its row and
    /// column zero) gets an infinite variance and NaN covariances, so its standard
    /// error is `+∞` rather than a misleading 0.
    public var covariance: [[Double]]
    /// The (weighted) sum of squared residuals `Σ wᵢ rᵢ²` at the solution.
    public var chiSquared: Double
    /// `residualCount − parameterCount`.
    public var degreesOfFreedom: Int
    /// The trust-region iterations taken.
    public var iterations: Int
    /// The number of calls to the residual closure, including those for the
    /// finite-difference Jacobian.
    public var functionEvaluations: Int
    /// Whether the solver met a convergence test; `false` means ``parameters`` is
    /// the best point found, not a converged solution.
    public var converged: Bool
    /// Why the solver stopped.
    public var stopReason: StopReason
    /// The unweighted residuals `rᵢ` at ``parameters``, as the residual closure returns them.
    public var residuals: [Double]

    /// Creates a result; normally only ``NonlinearLeastSquares/fit(_:)`` does this.
    public init(
        parameters: [Double],
        names: [String]?,
        standardErrors: [Double],
        covariance: [[Double]],
        chiSquared: Double,
        degreesOfFreedom: Int,
        iterations: Int,
        functionEvaluations: Int,
        converged: Bool,
        stopReason: StopReason,
        residuals: [Double]
    ) {
        self.parameters = parameters
        self.names = names
        self.standardErrors = standardErrors
        self.covariance = covariance
        self.chiSquared = chiSquared
        self.degreesOfFreedom = degreesOfFreedom
        self.iterations = iterations
        self.functionEvaluations = functionEvaluations
        self.converged = converged
        self.stopReason = stopReason
        self.residuals = residuals
    }

    /// `chiSquared / degreesOfFreedom`, or NaN with zero degrees of freedom.
    public var reducedChiSquared: Double {
        degreesOfFreedom > 0 ? chiSquared / Double(degreesOfFreedom) : .nan
    }

    /// The value of the parameter called `name`, or `nil` when there are no names
    /// or none matches.
    public func parameter(named name: String) -> Double? {
        guard let index = names?.firstIndex(of: name) else { return nil }
        return parameters[index]
    }

    /// The standard error of the parameter called `name`, or `nil` when there are
    /// no names or none matches.
    public func standardError(named name: String) -> Double? {
        guard let index = names?.firstIndex(of: name) else { return nil }
        return standardErrors[index]
    }
}
