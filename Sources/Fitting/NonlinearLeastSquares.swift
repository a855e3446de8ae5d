import CGSL

/// Nonlinear least squares with GSL's `gsl_multifit_nlinear`: a trust-region method
/// with Levenberg–Marquardt steps (`trs_lm`), Moré scaling, a QR solver and a
/// forward-difference Jacobian.
///
/// Each call allocates and frees its own GSL workspace, so fits may run
/// concurrently from several threads.
public enum NonlinearLeastSquares {
    /// Fits `problem` and returns the solution with its uncertainties.
    ///
    /// Not converging is not an error: the result then has `converged == false`,
    /// a ``LeastSquaresFit/stopReason`` of `.maxIterations` or `.noProgress`, and the
    /// best point found. The covariance is computed from the Jacobian at that point
    /// (see ``LeastSquaresFit/covariance`` for the scaling).
    ///
    /// - Parameter problem: The problem to solve.
    /// - Returns: The fit.
    /// - Throws: ``FittingError`` with kind `.invalidProblem` for bad sizes or values,
    ///   `.allocationFailed` when GSL cannot allocate, `.residualFailed` when the
    ///   residual closure throws (the fit stops at once), `.nonFiniteResidual` when it
    ///   returns NaN or infinity, and `.gslFailure` for any other GSL failure.
    public static func fit(_ problem: LeastSquaresProblem) throws(FittingError) -> LeastSquaresFit {
        try problem.validate()
        GSLErrorHandler.ensureDisabled()

        let n = problem.residualCount
        let p = problem.parameterCount
        var parameters = gsl_multifit_nlinear_default_parameters()
        parameters.trs = cgsl_nlinear_trs_lm()
        parameters.scale = cgsl_nlinear_scale_more()
        parameters.solver = cgsl_nlinear_solver_qr()
        parameters.fdtype = GSL_MULTIFIT_NLINEAR_FWDIFF

        guard let workspace = gsl_multifit_nlinear_alloc(cgsl_nlinear_trust(), &parameters, n, p) else {
            throw .allocationFailed("a trust-region workspace for \(n) residuals and \(p) parameters")
        }
        defer { gsl_multifit_nlinear_free(workspace) }
        guard let covariance = gsl_matrix_alloc(p, p) else {
            throw .allocationFailed("a \(p)×\(p) covariance matrix")
        }
        defer { gsl_matrix_free(covariance) }

        var context = ResidualContext(problem: problem)
        var fdf = gsl_multifit_nlinear_fdf()
        fdf.f = ResidualContext.callback
        fdf.df = nil  // finite-difference Jacobian
        fdf.fvv = nil  // no geodesic acceleration
        fdf.n = n
        fdf.p = p

        // The workspace keeps `fdf` by pointer and the callback dereferences the context,
        // so initialization, the driver and reading the results all happen in this scope.
        return try withUnsafeMutablePointer(to: &context) { (contextPointer) throws(FittingError) in
            try withUnsafeMutablePointer(to: &fdf) { (fdfPointer) throws(FittingError) in
                fdfPointer.pointee.params = UnsafeMutableRawPointer(contextPointer)
                let session = Session(
                    problem: problem, workspace: workspace, covariance: covariance,
                    fdf: fdfPointer, context: contextPointer)
                return try session.run()
            }
        }
    }

    /// One fit in progress: the pointers that are valid inside ``fit(_:)``'s scope.
    private struct Session {
        let problem: LeastSquaresProblem
        let workspace: UnsafeMutablePointer<gsl_multifit_nlinear_workspace>
        let covariance: UnsafeMutablePointer<gsl_matrix>
        let fdf: UnsafeMutablePointer<gsl_multifit_nlinear_fdf>
        let context: UnsafeMutablePointer<ResidualContext>

        var n: Int { problem.residualCount }
        var p: Int { problem.parameterCount }

        /// Throws the error the residual callback recorded, or a GSL failure for `status`.
        func check(_ status: Int32, _ routine: String) throws(FittingError) {
            if let error = context.pointee.error { throw error }
            guard status == Int32(GSL_SUCCESS) else {
                throw .gslFailure(
                    status: status, message: "\(routine): \(GSLErrorHandler.message(for: status))")
            }
        }

        func run() throws(FittingError) -> LeastSquaresFit {
            try check(initialize(), "gsl_multifit_nlinear_init")

            var info: Int32 = 0
            let status = gsl_multifit_nlinear_driver(
                problem.maxIterations, problem.xtol, problem.gtol, problem.ftol, nil, nil, &info,
                workspace)
            if let error = context.pointee.error { throw error }
            var stopReason = try Self.stopReason(status: status, info: info)

            let position = gsl_multifit_nlinear_position(workspace)!
            let f = gsl_multifit_nlinear_residual(workspace)!
            let jacobian = gsl_multifit_nlinear_jac(workspace)!
            let solution = (0..<p).map { gsl_vector_get(position, $0) }
            if stopReason == .noProgress && isStationary(position: position, f: f, jacobian: jacobian) {
                // GSL tests convergence only after a successful step, so a start that is
                // already a minimum (exact data, a warm start) ends as "no progress".
                stopReason = .gtol
            }

            var chiSquared = 0.0
            try check(gsl_blas_ddot(f, f, &chiSquared), "gsl_blas_ddot")
            try check(
                gsl_multifit_nlinear_covar(jacobian, 0.0, covariance), "gsl_multifit_nlinear_covar")

            let degreesOfFreedom = n - p
            let scale: Double
            if problem.weights != nil {
                scale = 1
            } else {
                scale = degreesOfFreedom > 0 ? chiSquared / Double(degreesOfFreedom) : .nan
            }
            // gsl_multifit_nlinear_covar leaves zero rows and columns for parameters the
            // Jacobian does not determine; (JᵀJ)⁻¹ has a positive diagonal otherwise.
            let undetermined = (0..<p).map { gsl_matrix_get(covariance, $0, $0) == 0 }
            let covarianceRows = (0..<p).map { i in
                (0..<p).map { j in
                    if undetermined[i] || undetermined[j] { return i == j ? Double.infinity : .nan }
                    return scale * gsl_matrix_get(covariance, i, j)
                }
            }
            let standardErrors = (0..<p).map { covarianceRows[$0][$0].squareRoot() }

            // GSL's residual vector holds √wᵢ·rᵢ; report the plain rᵢ.
            let residuals: [Double]
            if problem.weights == nil {
                residuals = (0..<n).map { gsl_vector_get(f, $0) }
            } else {
                residuals = try context.pointee.residuals(at: solution)
            }

            return LeastSquaresFit(
                parameters: solution,
                names: problem.names,
                standardErrors: standardErrors,
                covariance: covarianceRows,
                chiSquared: chiSquared,
                degreesOfFreedom: degreesOfFreedom,
                iterations: gsl_multifit_nlinear_niter(workspace),
                functionEvaluations: context.pointee.evaluations,
                converged: stopReason.isConvergence,
                stopReason: stopReason,
                residuals: residuals)
        }

        /// GSL's gradient test at the current point: `max_j |g_j|·max(|θ_j|, 1) ≤ gtol·max(½‖f‖², 1)`
        /// with `g = Jᵀf` (both weighted, as the workspace holds them).
        private func isStationary(
            position: UnsafeMutablePointer<gsl_vector>, f: UnsafeMutablePointer<gsl_vector>,
            jacobian: UnsafeMutablePointer<gsl_matrix>
        ) -> Bool {
            var halfSquaredNorm = 0.0
            for i in 0..<n { halfSquaredNorm += 0.5 * gsl_vector_get(f, i) * gsl_vector_get(f, i) }
            var scaledGradientNorm = 0.0
            for j in 0..<p {
                var g = 0.0
                for i in 0..<n { g += gsl_matrix_get(jacobian, i, j) * gsl_vector_get(f, i) }
                scaledGradientNorm = max(scaledGradientNorm, abs(g) * max(abs(gsl_vector_get(position, j)), 1))
            }
            return scaledGradientNorm <= problem.gtol * max(halfSquaredNorm, 1)
        }

        /// Copies the start (and weights) into the workspace and evaluates there.
        private func initialize() -> Int32 {
            problem.initial.withUnsafeBufferPointer { start in
                var x = gsl_vector_const_view_array(start.baseAddress, p)
                guard let weights = problem.weights else {
                    return gsl_multifit_nlinear_init(&x.vector, fdf, workspace)
                }
                return weights.withUnsafeBufferPointer { weightBuffer in
                    var w = gsl_vector_const_view_array(weightBuffer.baseAddress, n)
                    return gsl_multifit_nlinear_winit(&x.vector, &w.vector, fdf, workspace)
                }
            }
        }

        /// Maps the driver's status and `info` to a stop reason, or throws for a failure.
        static func stopReason(status: Int32, info: Int32) throws(FittingError) -> LeastSquaresFit.StopReason {
            switch status {
            case Int32(GSL_SUCCESS):
                switch info {
                case 1, Int32(GSL_ETOLX): return .xtol
                case 2, Int32(GSL_ETOLG): return .gtol
                case 3, Int32(GSL_ETOLF): return .ftol
                default:
                    throw .gslFailure(
                        status: status,
                        message: "gsl_multifit_nlinear_driver: succeeded with unknown info \(info)")
                }
            case Int32(GSL_EMAXITER):
                return info == Int32(GSL_ENOPROG) ? .noProgress : .maxIterations
            case Int32(GSL_ENOPROG):
                return .noProgress
            default:
                throw .gslFailure(
                    status: status,
                    message: "gsl_multifit_nlinear_driver: \(GSLErrorHandler.message(for: status))")
            }
        }
    }
}
