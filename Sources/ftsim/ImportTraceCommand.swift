import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim import-trace`: a real profile to the project's tidy kernel-summary CSV.
struct ImportTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-trace",
        abstract: "Import a PyTorch profiler (Kineto) trace or an Nsight Systems kernel summary into a kernel-summary CSV.")

    @Argument(help: "The trace: Kineto JSON (.json or .json.gz) or `nsys stats --report cuda_gpu_kern_sum --format csv` output.")
    var file: String
    @Option(help: "Input format: kineto or nsys (default: guessed from the file).")
    var format: String?
    @Option(help: "Output CSV path.")
    var out: String
    @Option(name: .customLong("kernel-map"), help: "Kernel-name → kind map (default: Configs/kernel-kinds.yaml).")
    var kernelMap: String?

    func run() throws {
        try runReporting {
            let catalog = ConfigCatalog.discover()
            let map = try KernelNameMap.load(path: kernelMap ?? "\(catalog.root)/kernel-kinds.yaml")
            let fmt = try format.map { try TraceFormat(flag: $0) }
            let trace = try TraceImporter.importTrace(at: file, format: fmt, nameMap: map)
            do {
                try trace.csv().write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                throw SimulatorError(source: out, "cannot write output file")
            }
            let s = trace.kernelSummary()
            FileHandle.standardError.write(
                Data(
                    "imported \(s.rows.count) kernel names, \(String(s.calls)) calls, \(NumberText.fixed(s.total_s, 6)) s of kernel time (\(NumberText.fixed(100 * s.unmappedShare, 1))% unmapped) → \(out)\n"
                        .utf8))
        }
    }
}
