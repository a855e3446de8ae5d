import Fitting
import Foundation

/// Error bars for a prediction: the fitted parameters' covariance propagated through the simulator
/// (finite-difference gradient), plus the fit's residual scatter (the model error the parameters cannot
/// remove), combined into a two-sided interval.
public struct Uncertainty: Sendable {
    /// The parameters, with covariance and `residual_rms` from a fit.
    public let parameters: CalibrationParameters
    /// Two-sided coverage of the interval (0.95 by default).
    public let confidence: Double

    /// Creates an uncertainty model; `available` is false when the parameters carry no fit.
    public init(parameters: CalibrationParameters, confidence: Double = 0.95) {
        self.parameters = parameters
        self.confidence = confidence
    }

    /// The normal quantile of the two-sided confidence (1.96 at 95%).
    public var z: Double { Distributions.normalQuantile(0.5 + confidence / 2) }

    /// Whether the parameters came from a fit (have a covariance).
    public var available: Bool { !parameters.covariance.isEmpty }

    /// The interval: value, standard deviation, low and high.
    public struct Interval: Sendable, Equatable {
        public var value: Double
        public var sigma: Double
        public var low: Double
        public var high: Double
        /// The same interval moved to be centred on `value`.
        public func centered(on value: Double) -> Interval {
            Interval(value: value, sigma: sigma, low: low + value - self.value, high: high + value - self.value)
        }

        /// Half-width relative to the value, in percent.
        public var percent: Double { value != 0 ? 100 * (high - low) / 2 / abs(value) : 0 }
    }

    /// Standard deviation of a prediction `value` whose gradient over the covariance's parameters `names`
    /// is `gradient`: gᵀΣg plus, for timings, the fit's relative residual scatter.
    public func sigma(value: Double, gradient: [Double], names: [String], residualScatter: Bool = true) -> Double {
        var variance = 0.0
        for (i, a) in names.enumerated() {
            for (j, b) in names.enumerated() { variance += gradient[i] * gradient[j] * (parameters.covariance[a]?[b] ?? 0) }
        }
        let model = residualScatter ? parameters["residual_rms"] * value : 0
        return (max(0, variance) + model * model).squareRoot()
    }

    /// The interval of `evaluate` at the parameters. `only` restricts the propagation to those fitted
    /// parameters (the others have no effect on `evaluate`); `residualScatter` adds the timing fit's residual
    /// scatter (`residual_rms`), which belongs to times, not to memory.
    public func interval(
        only: Set<String>? = nil, residualScatter: Bool = true, _ evaluate: (CalibrationParameters) -> Double
    ) -> Interval {
        let v = evaluate(parameters)
        guard available else { return Interval(value: v, sigma: 0, low: v, high: v) }
        let names = parameters.covariance.keys.sorted().filter { only?.contains($0) ?? true }
        var g: [Double] = []
        for n in names {
            var p = parameters
            let x = parameters[n]
            let h = max(abs(x) * 1e-3, 1e-12)
            p[n] = x + h
            g.append((evaluate(p) - v) / h)
        }
        let sigma = self.sigma(value: v, gradient: g, names: names, residualScatter: residualScatter)
        return Interval(value: v, sigma: sigma, low: v - z * sigma, high: v + z * sigma)
    }
}
