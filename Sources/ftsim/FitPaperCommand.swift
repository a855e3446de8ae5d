import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim fit-paper`: the paper's analytical model fitted on the same traces, beside the simulator.
struct FitPaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-paper",
        abstract: "Fit the paper's analytical max-batch and throughput model (GSL) and compare its RMSE with the simulator's.")

    @Option(parsing: .upToNextOption, help: "Trace folders or CSV files (default: Traces/a40-paper).")
    var traces: [String] = []
    @Option(help: "Calibration file for the simulator side (default: Configs/calibration/default.yaml).")
    var calibration: String?

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            let root = (catalog.root as NSString).deletingLastPathComponent
            let paths = traces.isEmpty ? [(root.isEmpty ? "." : root) + "/Traces/a40-paper"] : traces
            var ms: [FineTuneSim.Measurement] = []
            for p in paths { ms += try TraceSet.load(path: p) }
            let paper = PaperModel(catalog: catalog)
            let mb: [PaperModel.MaxBatchFit]
            let tp: [PaperModel.ThroughputFit]
            do {
                mb = try paper.fitMaxBatch(ms)
                tp = try paper.fitThroughput(ms)
            } catch let e as SimulatorError { throw e } catch { throw SimulatorError(source: "fit-paper", "fit failed: \(error)") }
            let params = try catalog.calibration(calibration)
            let predictor = Predictor(catalog: catalog)
            print("Paper's throughput model  C4 + C2·ln(batch)/(sparsity·C3), fitted per model and dataset:\n")
            var t = TextTable(headers: ["model", "dataset", "C2", "C4", "C3 (fixed)", "points", "paper RMSE", "simulator RMSE"])
            for f in tp {
                let sim = try predictor.predict(f.predictions.map(\.0), parameters: params)
                let rmse = (zip(sim, f.predictions).reduce(0) { $0 + pow($1.0 - $1.1.0.value, 2) } / Double(sim.count)).squareRoot()
                t.add([
                    f.model, f.dataset, NumberText.fixed(f.c2, 4), NumberText.fixed(f.c4, 4), NumberText.fixed(f.c3, 1),
                    String(f.predictions.count), NumberText.fixed(f.rmse, 3), NumberText.fixed(rmse, 3),
                ])
            }
            print(t.rendered())
            print("Paper's max-batch model  floor(C0·(mem − model_mem)/(seq·((1 − C1) + C1·sparsity))), fitted per model:\n")
            var m = TextTable(headers: ["model", "C0", "C1", "points", "paper exact", "paper RMSE", "simulator exact", "simulator RMSE"])
            for f in mb {
                let sim = try predictor.predict(f.predictions.map(\.0), parameters: params)
                func stats(_ p: [Double]) -> (Int, Double) {
                    let exact = zip(p, f.predictions).filter { $0.0 == $0.1.0.value }.count
                    return (exact, (zip(p, f.predictions).reduce(0) { $0 + pow($1.0 - $1.1.0.value, 2) } / Double(p.count)).squareRoot())
                }
                let ps = stats(f.predictions.map(\.1)), ss = stats(sim)
                m.add([
                    f.model, "\(NumberText.fixed(f.c0, 2)) ± \(NumberText.fixed(f.c0Error, 2))",
                    "\(NumberText.fixed(f.c1, 3)) ± \(NumberText.fixed(f.c1Error, 3))", String(f.predictions.count),
                    "\(ps.0)/\(f.predictions.count)", NumberText.fixed(ps.1, 2), "\(ss.0)/\(f.predictions.count)",
                    NumberText.fixed(ss.1, 2),
                ])
            }
            print(m.rendered(), terminator: "")
            print(
                "The paper's curves are fitted to these very points (per model, dataset and GPU); the simulator's parameters are shared by every model and GPU."
            )
        }
    }
}
