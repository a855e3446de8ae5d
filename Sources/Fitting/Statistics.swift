import CGSL

/// Summary statistics from GSL's `gsl_stats`.
public enum Statistics {
    /// The arithmetic mean (`gsl_stats_mean`).
    ///
    /// - Parameter values: The data.
    /// - Returns: The mean, or NaN for an empty array.
    public static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        GSLErrorHandler.ensureDisabled()
        return values.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// The sample standard deviation, with divisor `n − 1` (`gsl_stats_sd`).
    ///
    /// - Parameter values: The data.
    /// - Returns: The standard deviation, or NaN for fewer than two values.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count >= 2 else { return .nan }
        GSLErrorHandler.ensureDisabled()
        return values.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
    }
}
