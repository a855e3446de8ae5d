import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim calibrate`: fit the model's parameters to measured traces with GSL.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Fit the cost and memory model's parameters to traces (GSL Levenberg–Marquardt).")

    @Option(parsing: .upToNextOption, help: "Trace folders or CSV files to fit on.")
    var traces: [String]
    @Option(help: "Where to write the calibration YAML.")
    var out: String
    @Option(help: "Starting calibration (default: the hand-set values).")
    var start: String?
    @Option(name: .customLong("max-lengths"), help: "Dataset lengths simulated per throughput point during the fit.")
    var maxLengths: Int = 6
    @Option(name: .customLong("max-iterations"), help: "Iteration limit of the Levenberg–Marquardt solver.")
    var maxIterations: Int = 40
    @Option(help: "Comma-separated parameters to fit (default: the built-in timing and memory sets).")
    var fit: String?

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            let startParams = try start.map { try catalog.calibration($0) } ?? CalibrationParameters()
            var ms: [FineTuneSim.Measurement] = []
            for p in traces { ms += try TraceSet.load(path: p) }
            guard !ms.isEmpty else { throw SimulatorError(source: "--traces", "no measurements found") }
            let gpus = Set(ms.map(\.gpu)).sorted().joined(separator: ",")
            let description = "fitted on \(traces.joined(separator: ", ")) (\(ms.count) measurements, GPU \(gpus))"
            guard maxLengths >= 1 else { throw SimulatorError(source: "--max-lengths", "must be at least 1, got \(maxLengths)") }
            guard maxIterations >= 1 else { throw SimulatorError(source: "--max-iterations", "must be at least 1, got \(maxIterations)") }
            var timingFitted = Calibrator.defaultTimingFitted, memoryFitted = Calibrator.defaultMemoryFitted
            if let fit {
                let names = fit.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for n in names where !CalibrationParameters.catalog.contains(where: { $0.name == n }) {
                    throw SimulatorError(
                        source: "--fit",
                        "unknown parameter '\(n)' (known: \(CalibrationParameters.catalog.map(\.name).joined(separator: ", ")))")
                }
                memoryFitted = names.filter { CalibrationParameters.memoryParameters.contains($0) }
                timingFitted = names.filter { !CalibrationParameters.memoryParameters.contains($0) }
            }
            let cal = Calibrator(
                predictor: Predictor(catalog: catalog, maxLengths: maxLengths), timingFitted: timingFitted, memoryFitted: memoryFitted,
                maxIterations: maxIterations)
            let result: CalibrationResult
            do { result = try cal.fit(ms, start: startParams, description: description) } catch let e as SimulatorError { throw e } catch {
                throw SimulatorError(source: "calibrate", "fit failed: \(error)")
            }
            let p = result.parameters
            var t = TextTable(headers: ["parameter", "value", "std. error"])
            for e in p.entries where cal.fitted.contains(e.name) {
                t.add([e.name, JSONValue.format(e.value), e.standardError.map { JSONValue.format($0) } ?? "-"])
            }
            print(t.rendered(), terminator: "")
            print("\(result.stopReason); RMS relative timing residual \(NumberText.fixed(result.rmsResidual * 100, 1))%")
            for name in result.atBound {
                let r = CalibrationParameters.definition(name)!.range
                FileHandle.standardError.write(
                    Data(
                        "warning: \(name) ended on a bound of its plausible range \(JSONValue.format(r.lowerBound))...\(JSONValue.format(r.upperBound)) (value \(JSONValue.format(p[name]))): the lowering misses a mechanism the data need\n"
                            .utf8))
            }
            do { try p.yaml().write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw SimulatorError(source: out, "cannot write output file")
            }
            print("wrote \(out)")
        }
    }
}
