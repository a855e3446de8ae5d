import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim validate`: how far predictions are from measurements.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Compare predictions with the measurements in Traces/: per-row error, MAPE and RMSE.")

    @Option(parsing: .upToNextOption, help: "Trace folders or CSV files (default: every folder under Traces/).")
    var traces: [String] = []
    @Option(help: "Calibration file (default: Configs/calibration/default.yaml).")
    var calibration: String?
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @Flag(name: .customLong("error-bars"), help: "Also measure how often the 95% error bars cover the measurements (slower).")
    var errorBars = false
    @Flag(
        name: .customLong("cross-validate"),
        help: "Fit without each trace set (or each GPU of a multi-GPU set) in turn and predict it: held-out errors (minutes).")
    var crossValidate = false
    @Option(name: .customLong("max-iterations"), help: "With --cross-validate: iteration limit of each fold's fit.")
    var maxIterations: Int = 80
    @Option(name: .customLong("max-lengths"), help: "With --cross-validate: dataset lengths simulated per throughput point in each fit.")
    var maxLengths: Int = 6
    @Option(name: .customLong("out"), help: "With --cross-validate: also write the rows as CSV to this file.")
    var out: String?

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            let params = try catalog.calibration(calibration)
            var paths = traces
            if paths.isEmpty {
                let root = (catalog.root as NSString).deletingLastPathComponent
                let dir = (root.isEmpty ? "." : root) + "/Traces"
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                paths = names.sorted().map { "\(dir)/\($0)" }.filter {
                    var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue
                }
            }
            var ms: [FineTuneSim.Measurement] = []
            for p in paths { ms += try TraceSet.load(path: p) }
            guard !ms.isEmpty else { throw SimulatorError(source: "--traces", "no measurements found in \(paths.joined(separator: ", "))") }
            if crossValidate {
                try runCrossValidation(ms, catalog: catalog, params: params)
                return
            }
            if out != nil { throw SimulatorError(source: "--out", "applies only with --cross-validate") }
            let pred = try Predictor(catalog: catalog).predict(ms, parameters: params)
            let v = Validation(measurements: ms, predictions: pred)
            let coverage =
                errorBars ? try Validation.coverage(predictor: Predictor(catalog: catalog), measurements: ms, parameters: params) : nil
            let bySet = v.summaries { "\($0.set) \($0.quantity.rawValue)" }
            let byGPU = v.summaries { "\($0.gpu) \($0.quantity.rawValue)" }
            switch format {
            case .json:
                func summaries(_ s: [Validation.Summary]) -> JSONValue {
                    .array(
                        s.map {
                            .object([
                                ("group", .string($0.group)), ("count", .int($0.count)), ("mape_pct", .number($0.mapePct)),
                                ("rmse", .number($0.rmse)),
                            ])
                        })
                }
                print(
                    JSONValue.object([
                        ("calibration", .string(params.provenance)),
                        (
                            "rows",
                            .array(
                                v.rows.map { r in
                                    .object([
                                        ("set", .string(r.measurement.set)), ("gpu", .string(r.measurement.gpu)),
                                        ("quantity", .string(r.measurement.quantity.rawValue)),
                                        ("model", .string(r.measurement.model)), ("top_k", .int(r.measurement.topK)),
                                        ("batch", .int(r.measurement.batch)),
                                        ("method", r.measurement.method.map { .string($0.rawValue) } ?? .null),
                                        ("grad_accum", .int(r.measurement.gradAccum)),
                                        ("seq", r.measurement.seq.map { .int($0) } ?? .null),
                                        ("dataset", r.measurement.dataset.map { .string($0) } ?? .null),
                                        ("kernel", r.measurement.kernel.map { .string($0) } ?? .null),
                                        ("measured", .number(r.measurement.value)), ("predicted", .number(r.predicted)),
                                        ("error_pct", .number(r.errorPct)),
                                    ])
                                })
                        ),
                        ("mape_pct", .number(v.mapePct)),
                        ("rmse", .object(bySet.map { ($0.group, JSONValue.number($0.rmse)) })),
                        ("by_set", summaries(bySet)), ("by_gpu", summaries(byGPU)),
                        ("error_bar_coverage", coverage.map { .number($0.covered) } ?? .null),
                    ]).rendered())
            case .table:
                var t = TextTable(
                    headers: ["set", "quantity", "configuration", "measured", "predicted", "error"], rightAligned: [3, 4, 5])
                for r in v.rows {
                    let kernel = r.measurement.quantity == .kernel || r.measurement.quantity == .op
                    func show(_ v: Double) -> String { kernel ? NumberText.duration(v) : NumberText.fixed(v, 3) }
                    t.add([
                        r.measurement.set, r.measurement.quantity.rawValue, r.measurement.label, show(r.measurement.value),
                        show(r.predicted), NumberText.fixed(r.errorPct, 1) + "%",
                    ])
                }
                print(t.rendered())
                var s = TextTable(headers: ["group", "rows", "MAPE", "RMSE"])
                for x in bySet + byGPU {
                    s.add([x.group, String(x.count), NumberText.fixed(x.mapePct, 1) + "%", NumberText.fixed(x.rmse, 4)])
                }
                print(s.rendered(), terminator: "")
                print("calibration: \(params.provenance)")
                if let c = coverage {
                    let w = c.halfWidthPct.sorted()
                    print(
                        "95% error bars cover \(NumberText.fixed(100 * c.covered, 1))% of the \(w.count) step, phase and throughput measurements (median half-width ±\(NumberText.fixed(w[w.count / 2], 1))%)"
                    )
                } else if errorBars {
                    print("no error bars: the calibration carries no covariance (not fitted)")
                }
            }
        }
    }

    private func runCrossValidation(_ ms: [FineTuneSim.Measurement], catalog: ConfigCatalog, params: CalibrationParameters) throws {
        guard maxIterations >= 1 else { throw SimulatorError(source: "--max-iterations", "must be at least 1, got \(maxIterations)") }
        guard maxLengths >= 1 else { throw SimulatorError(source: "--max-lengths", "must be at least 1, got \(maxLengths)") }
        let calibrator = Calibrator(predictor: Predictor(catalog: catalog, maxLengths: maxLengths), maxIterations: maxIterations)
        let rows: [CrossValidation.Row]
        do {
            rows = try CrossValidation(calibrator: calibrator).run(ms, calibration: params) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        } catch let e as SimulatorError { throw e } catch {
            throw SimulatorError(source: "validate --cross-validate", "fit failed: \(error)")
        }
        let csv = CrossValidationReport.csv(rows)
        if let out {
            do { try csv.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw SimulatorError(source: out, "cannot write output file")
            }
        }
        switch format {
        case .json: print(CrossValidationReport.json(rows, calibration: params.provenance).rendered())
        case .table:
            print(CrossValidationReport.table(rows), terminator: "")
            print("in-sample: the calibration \(params.provenance); held out: fitted without the fold, then predicted")
        }
    }
}
