import Fitting
import Foundation

/// Fits the cost and memory model's parameters to measurements with GSL's trust-region
/// Levenberg–Marquardt, in log space (parameters stay positive); reports values, standard errors and the
/// covariance.
public struct Calibrator: Sendable {
    /// Parameters fitted by default: host overheads, efficiencies, the dequantize rate, memory overheads.
    public static let defaultFitted = [
        "host_launch_forward_s", "host_launch_backward_s", "host_lora_linear_s", "step_overhead_s",
        "gemm_efficiency", "memory_efficiency", "dequant_elements_per_sm_cycle", "scan_efficiency",
        "activation_overhead", "routed_activation_overhead", "kernel_latency_s",
    ]

    public let predictor: Predictor
    public let fitted: [String]
    /// Iteration limit of the solver.
    public var maxIterations: Int

    /// Creates a calibrator.
    public init(predictor: Predictor, fitted: [String] = Calibrator.defaultFitted, maxIterations: Int = 40) {
        self.predictor = predictor
        self.fitted = fitted
        self.maxIterations = maxIterations
    }

    /// Relative residuals of every measurement under parameters (max batches through their smooth stand-in).
    public func residuals(_ ms: [Measurement], _ p: CalibrationParameters) throws(SimulatorError) -> [Double] {
        let timing = ms.filter { $0.quantity != .maxBatch }
        let pred = try predictor.predict(timing, parameters: p)
        // A parameter vector far from the data (an exploratory trust-region step) can make a kernel's time
        // infinite; a large finite residual sends the solver back instead of aborting the fit.
        var out = zip(timing, pred).map { m, p in
            let r = p / m.value - 1
            return r.isFinite ? min(r, 1e3) : 1e3
        }
        for m in ms where m.quantity == .maxBatch { out.append(4 * (try predictor.maxBatchResidual(m, parameters: p))) }
        return out
    }

    /// Fits; returns the parameters (with standard errors and covariance set) and how the fit went.
    public func fit(_ ms: [Measurement], start: CalibrationParameters, description: String) throws -> CalibrationResult {
        let names = fitted
        let n = try residuals(ms, start).count
        let me = self
        let problem = LeastSquaresProblem(
            parameterCount: names.count, residualCount: n, initial: names.map { log(start[$0]) }, names: names, maxIterations: maxIterations,
            xtol: 1e-5, gtol: 1e-6, ftol: 1e-6
        ) { theta, r in
            var p = start
            for (i, name) in names.enumerated() { p[name] = exp(theta[i]) }
            let res = try me.residuals(ms, p)
            for i in res.indices { r[i] = res[i] }
        }
        let fit = try NonlinearLeastSquares.fit(problem)
        var p = start
        var cov: [String: [String: Double]] = [:]
        for (i, a) in names.enumerated() {
            let v = exp(fit.parameters[i])
            p[a] = v
            p.setStandardError(a, v * fit.standardErrors[i])
            var row: [String: Double] = [:]
            for (j, b) in names.enumerated() { row[b] = v * exp(fit.parameters[j]) * fit.covariance[i][j] }
            cov[a] = row
        }
        p.covariance = cov
        p.provenance = description
        // Timing residuals only: max-batch stand-ins are not relative time errors.
        let timing = fit.residuals.prefix(ms.filter { $0.quantity != .maxBatch }.count)
        p["residual_rms"] = (timing.reduce(0) { $0 + $1 * $1 } / Double(max(1, timing.count))).squareRoot()
        return CalibrationResult(
            parameters: p, converged: fit.converged, stopReason: fit.stopReason.rawValue, iterations: fit.iterations,
            rmsResidual: (fit.chiSquared / Double(max(1, fit.residuals.count))).squareRoot())
    }
}

/// The outcome of a calibration.
public struct CalibrationResult: Sendable {
    /// Fitted parameters with standard errors and covariance.
    public var parameters: CalibrationParameters
    public var converged: Bool
    public var stopReason: String
    public var iterations: Int
    /// Root-mean-square relative residual at the solution.
    public var rmsResidual: Double
}

extension CalibrationParameters {
    /// The parameters as a calibration YAML file.
    public func yaml() -> String {
        var s = "# FineTuneSim calibration: the cost and memory model's parameters (GPU-independent in form).\n"
        s += "# Regenerate with `make calibrate`. Values with a stderr were fitted; the others are hand-set.\n"
        s += "provenance: \"\(provenance)\"\nparameters:\n"
        for e in entries {
            s += "  # \(e.doc)\n"
            if let se = e.standardError {
                s += "  \(e.name): {value: \(JSONValue.format(e.value)), stderr: \(JSONValue.format(se))}\n"
            } else {
                s += "  \(e.name): \(JSONValue.format(e.value))\n"
            }
        }
        if !covariance.isEmpty {
            s += "# Covariance of the fitted parameters (natural units).\ncovariance:\n"
            for a in covariance.keys.sorted() {
                let row = covariance[a]!
                s += "  \(a): {" + row.keys.sorted().map { "\($0): \(JSONValue.format(row[$0]!))" }.joined(separator: ", ") + "}\n"
            }
        }
        return s
    }
}
