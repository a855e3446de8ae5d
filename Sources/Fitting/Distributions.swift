import CGSL

/// Quantiles (inverse cumulative distribution functions) from GSL's `gsl_cdf`.
///
/// Each returns NaN for arguments outside its domain instead of calling GSL with them.
public enum Distributions {
    /// The standard normal quantile `Φ⁻¹(p)` (`gsl_cdf_ugaussian_Pinv`).
    ///
    /// - Parameter p: A probability in `[0, 1]`; 0 and 1 give `-∞` and `+∞`.
    /// - Returns: `z` with `P(Z ≤ z) = p`, or NaN when `p` is outside `[0, 1]`.
    public static func normalQuantile(_ p: Double) -> Double {
        guard (0...1).contains(p) else { return .nan }
        GSLErrorHandler.ensureDisabled()
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// The quantile of Student's t distribution (`gsl_cdf_tdist_Pinv`).
    ///
    /// - Parameters:
    ///   - p: A probability in `[0, 1]`; 0 and 1 give `-∞` and `+∞`.
    ///   - degreesOfFreedom: `ν > 0`, not necessarily an integer.
    /// - Returns: `t` with `P(T ≤ t) = p`, or NaN for arguments outside the domain.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        guard (0...1).contains(p), degreesOfFreedom > 0, degreesOfFreedom.isFinite else { return .nan }
        GSLErrorHandler.ensureDisabled()
        return gsl_cdf_tdist_Pinv(p, degreesOfFreedom)
    }

    /// The quantile of the chi-squared distribution (`gsl_cdf_chisq_Pinv`).
    ///
    /// - Parameters:
    ///   - p: A probability in `[0, 1]`; 0 gives 0 and 1 gives `+∞`.
    ///   - degreesOfFreedom: `ν > 0`, not necessarily an integer.
    /// - Returns: `x` with `P(X ≤ x) = p`, or NaN for arguments outside the domain.
    public static func chiSquaredQuantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        guard (0...1).contains(p), degreesOfFreedom > 0, degreesOfFreedom.isFinite else { return .nan }
        GSLErrorHandler.ensureDisabled()
        return gsl_cdf_chisq_Pinv(p, degreesOfFreedom)
    }
}
