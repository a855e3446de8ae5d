/// The cost of a whole fine-tune on each of several GPUs: the largest batch that fits, the dataset-aware
/// throughput there, GPU-hours and dollars for queries × epochs.
public struct CostStudy: Sendable {
    /// One GPU's answer.
    public struct Row: Sendable {
        public var gpu: String
        public var maxBatch: Int
        public var throughputQPS: Double
        public var hours: Double
        public var usdPerHour: Double
        public var usd: Double
        /// Peak memory at the max batch (or at batch 1 when nothing fits), GB.
        public var peakMemoryGB: Double
        /// Device memory a step can use on the GPU, GB (``GPUSpec/usableMemoryGB``).
        public var usableMemoryGB: Double
        /// The host assumed for this GPU.
        public var host: HostSpec = .reference
    }

    public let model: ModelSpec
    public let method: FineTuneMethod
    public let dataset: Dataset
    public let parameters: CalibrationParameters

    /// Creates a study.
    public init(model: ModelSpec, method: FineTuneMethod, dataset: Dataset, parameters: CalibrationParameters) {
        self.model = model
        self.method = method
        self.dataset = dataset
        self.parameters = parameters
    }

    /// Evaluates one GPU for `queries × epochs` queries at `usdPerHour`, with `host` driving it (default: the
    /// GPU file's host, else the reference).
    public func evaluate(
        gpu: GPUSpec, usdPerHour: Double, queries: Double, epochs: Double, routing: Routing = .uniform, host: HostSpec? = nil
    ) -> Row {
        let host = host ?? gpu.host ?? .reference
        let mb = MaxBatch(parameters: parameters).search(
            model: model, method: method, seq: dataset.longestPadded, capacityBytes: gpu.memoryBytes, routing: routing)
        guard mb.maxBatch > 0 else {
            return Row(
                gpu: gpu.id, maxBatch: 0, throughputQPS: 0, hours: .infinity, usdPerHour: usdPerHour, usd: .infinity,
                peakMemoryGB: mb.peakBytes / 1e9, usableMemoryGB: gpu.usableMemoryGB, host: host)
        }
        let sim = DatasetSimulation(simulator: Simulator(gpu: gpu, parameters: parameters, host: host))
        let r = sim.simulate(model: model, method: method, dataset: dataset, batch: mb.maxBatch, routing: routing)
        let hours = queries * epochs / r.throughput / 3600
        return Row(
            gpu: gpu.id, maxBatch: mb.maxBatch, throughputQPS: r.throughput, hours: hours, usdPerHour: usdPerHour, usd: hours * usdPerHour,
            peakMemoryGB: mb.peakBytes / 1e9, usableMemoryGB: gpu.usableMemoryGB, host: host)
    }

    /// Rows sorted cheapest first (GPUs where nothing fits last, by id).
    public static func sorted(_ rows: [Row]) -> [Row] {
        rows.sorted { a, b in a.usd != b.usd ? a.usd < b.usd : a.gpu < b.gpu }
    }
}
