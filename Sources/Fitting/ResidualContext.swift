import CGSL

/// The Swift state behind GSL's residual callback: the user's closure, a count of
/// its calls, and a slot for the first error (a Swift error cannot cross the C frame).
///
/// GSL receives its address through `gsl_multifit_nlinear_fdf.params`; it is valid
/// only inside the `withUnsafeMutablePointer` scope that produced that address.
struct ResidualContext {
    /// The user's residual closure.
    let residual: LeastSquaresProblem.Residual
    /// The number of parameters `p`.
    let parameterCount: Int
    /// The number of residuals `n`.
    let residualCount: Int
    /// How many times ``residual`` has been called.
    private(set) var evaluations = 0
    /// The first failure; once set, every later callback fails at once.
    private(set) var error: FittingError?

    init(problem: LeastSquaresProblem) {
        residual = problem.residual
        parameterCount = problem.parameterCount
        residualCount = problem.residualCount
    }

    /// Calls the closure at `parameters` and checks what it wrote.
    mutating func residuals(at parameters: [Double]) throws(FittingError) -> [Double] {
        evaluations += 1
        var values = [Double](repeating: 0, count: residualCount)
        do {
            try residual(parameters, &values)
        } catch {
            throw .residualFailed(String(describing: error))
        }
        guard values.count == residualCount else {
            throw .residualFailed(
                "the closure changed the residual count from \(residualCount) to \(values.count)")
        }
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteResidual(index: index)
        }
        return values
    }

    /// The body of the C callback: reads `x`, evaluates, writes `f`, and returns a
    /// GSL status (`GSL_EBADFUNC` after recording the error when anything fails).
    mutating func evaluate(
        _ x: UnsafePointer<gsl_vector>, into f: UnsafeMutablePointer<gsl_vector>
    ) -> Int32 {
        guard error == nil else { return Int32(GSL_EBADFUNC) }
        let parameters = (0..<parameterCount).map { gsl_vector_get(x, $0) }
        do {
            let values = try residuals(at: parameters)
            for (index, value) in values.enumerated() {
                gsl_vector_set(f, index, value)
            }
            return Int32(GSL_SUCCESS)
        } catch {
            self.error = error
            return Int32(GSL_EBADFUNC)
        }
    }

    /// The C function GSL calls for the residual vector. It captures nothing;
    /// the context arrives through `params`.
    static let callback:
        @convention(c) (
            UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?
        ) -> Int32 = { x, params, f in
            guard let x, let params, let f else { return Int32(GSL_EFAULT) }
            return params.assumingMemoryBound(to: ResidualContext.self).pointee.evaluate(x, into: f)
        }
}
