import Foundation

/// Finds and loads the configs a command names: GPUs, models and datasets by id (a file under
/// `Configs/`) or by path, and the calibration file.
public struct ConfigCatalog: Sendable {
    /// The `Configs` directory.
    public let root: String

    /// Uses an explicit `Configs` directory.
    public init(root: String) { self.root = root }

    /// Locates `Configs/`: `$FTSIM_CONFIGS`, else `./Configs`, else next to the executable's package.
    public static func discover(executable: String = CommandLine.arguments.first ?? "") -> ConfigCatalog {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["FTSIM_CONFIGS"], !env.isEmpty { return ConfigCatalog(root: env) }
        if fm.fileExists(atPath: "Configs/gpus") { return ConfigCatalog(root: "Configs") }
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Configs")
            if fm.fileExists(atPath: candidate.appendingPathComponent("gpus").path) { return ConfigCatalog(root: candidate.path) }
            dir = dir.deletingLastPathComponent()
        }
        return ConfigCatalog(root: "Configs")
    }

    /// Ids of the YAML files in a subfolder, sorted.
    public func ids(_ folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    private func resolve(_ value: String, folder: String, what: String, flag: String) throws(SimulatorError) -> (path: String, id: String) {
        if value.contains("/") || value.hasSuffix(".yaml") || value.hasSuffix(".yml") || value.hasSuffix(".json") {
            guard FileManager.default.fileExists(atPath: value) else { throw SimulatorError(source: value, "no such file") }
            let base = URL(fileURLWithPath: value).deletingPathExtension().lastPathComponent
            return (value, base)
        }
        let path = "\(root)/\(folder)/\(value).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            throw SimulatorError(source: flag, "unknown \(what) '\(value)' (known: \(ids(folder).joined(separator: ", ")))")
        }
        return (path, value)
    }

    /// A GPU by id or path.
    public func gpu(_ value: String) throws(SimulatorError) -> GPUSpec {
        let r = try resolve(value, folder: "gpus", what: "GPU", flag: "--gpu")
        return try GPUSpec(node: try ConfigNode.load(file: r.path), id: r.id)
    }

    /// A model by id, YAML path or Hugging Face `config.json` path.
    public func model(_ value: String) throws(SimulatorError) -> ModelSpec {
        let r = try resolve(value, folder: "models", what: "model", flag: "--model")
        if r.path.hasSuffix(".json") { return try HuggingFaceConfig.load(file: r.path) }
        return try ModelSpec(node: try ConfigNode.load(file: r.path), id: r.id)
    }

    /// A dataset by id or path.
    public func dataset(_ value: String) throws(SimulatorError) -> Dataset {
        let r = try resolve(value, folder: "datasets", what: "dataset", flag: "--dataset")
        return try Dataset(node: try ConfigNode.load(file: r.path), id: r.id)
    }

    /// The default calibration file's path.
    public var defaultCalibrationPath: String { "\(root)/calibration/default.yaml" }

    /// Calibration parameters from a file, or the default file, or the hand-set values when it is absent.
    public func calibration(_ path: String? = nil) throws(SimulatorError) -> CalibrationParameters {
        if let path { return try CalibrationParameters(node: try ConfigNode.load(file: path)) }
        guard FileManager.default.fileExists(atPath: defaultCalibrationPath) else { return CalibrationParameters() }
        return try CalibrationParameters(node: try ConfigNode.load(file: defaultCalibrationPath))
    }
}

extension ConfigCatalog {
    /// A routing given as text (`uniform`, `zipf:S` or `measured`); `measured` reads the per-expert loads under
    /// `routing/` for the model and dataset.
    public func routing(_ text: String, model: String, dataset: String?) throws(SimulatorError) -> Routing {
        try Routing.parse(text) { () throws(SimulatorError) -> [Double] in
            try MeasuredRouting.loads(catalog: self, model: model, dataset: dataset)
        }
    }

    /// Default prices from `prices.yaml` (empty when the file is absent).
    public func prices() throws(SimulatorError) -> PriceList {
        try PriceList.load(file: "\(root)/prices.yaml")
    }
}
