import ArgumentParser
import FineTuneSim

/// The `ftsim` command line: thin over the FineTuneSim library.
@main
struct FTSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ftsim",
        abstract: "A discrete-event GPU performance simulator for LLM fine-tuning.",
        version: FineTuneSimVersion.string,
        subcommands: [
            SimulateCommand.self, SweepCommand.self, PlotCommand.self, MaxBatchCommand.self, CostCommand.self, ImportTraceCommand.self,
            CalibrateCommand.self, ValidateCommand.self, KernelsCommand.self, HostCostsCommand.self, FitPaperCommand.self, GPUsCommand.self,
            ModelsCommand.self,
        ]
    )
}
