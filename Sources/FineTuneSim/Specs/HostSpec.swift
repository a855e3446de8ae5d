/// The host CPU that drives the GPU: the thread that runs Python, issues launches and waits at
/// synchronizations.
///
/// Every host cost in the calibration (per launch, per framework call, per synchronization, per step) is
/// measured on the reference host, the Intel Xeon Platinum 8380 of the paper's A40 machine. A host with
/// single-thread speed `s` pays those costs divided by `s`. The host assumed is, in order: `--host-speed`
/// when given, else the GPU file's `host:` block, else the reference.
public struct HostSpec: Sendable, Equatable {
    /// Where the assumption comes from.
    public enum Source: String, Sendable, Equatable {
        /// No host named anywhere: the paper's host.
        case reference
        /// The GPU file's `host:` block.
        case gpuFile = "gpu_file"
        /// The `--host-speed` flag.
        case flag = "host_speed_flag"
    }

    /// CPU model, e.g. `Intel Xeon Platinum 8380`.
    public var cpu: String
    /// Single-thread speed relative to the reference host (2 = host costs take half as long).
    public var singleThreadSpeed: Double
    /// Where the figures come from.
    public var source: Source
    /// Free-text notes (the source of the speed figure), key `notes`.
    public var notes: String

    /// The reference host's CPU: the paper's machine (its host costs are the calibration's).
    public static let referenceCPU = "Intel Xeon Platinum 8380"
    /// The reference host.
    public static let reference = HostSpec(cpu: referenceCPU, singleThreadSpeed: 1, source: .reference)
    /// Keys a `host:` block may have.
    public static let keys = ["cpu", "single_thread_speed", "notes"]

    /// Creates a host directly.
    public init(cpu: String, singleThreadSpeed: Double, source: Source, notes: String = "") {
        self.cpu = cpu
        self.singleThreadSpeed = singleThreadSpeed
        self.source = source
        self.notes = notes
    }

    /// Reads a GPU file's `host:` block: `cpu` (required), `single_thread_speed` (a positive finite number,
    /// default 1) and `notes`. Any other key is an error naming the file and the key.
    public init(node: ConfigNode) throws(SimulatorError) {
        for key in node.values.keys.sorted() where !Self.keys.contains(key) {
            throw node.fail(key, "unknown key in the host block (known: \(Self.keys.joined(separator: ", ")))")
        }
        cpu = try node.string("cpu")
        guard !cpu.isEmpty else { throw node.fail("cpu", "must name the CPU, got an empty string") }
        singleThreadSpeed = try node.double("single_thread_speed", default: 1, positive: true)
        notes = try node.string("notes", default: "")
        source = .gpuFile
    }

    /// The host a run assumes: `speedFlag` (`--host-speed`) when given, else the GPU's own host block, else
    /// the reference. This is the one place the host is chosen; ``apply(to:)`` is the one place its speed
    /// reaches the parameters.
    public static func effective(speedFlag: Double?, gpu: GPUSpec) throws(SimulatorError) -> HostSpec {
        if let s = speedFlag { return try flag(s) }
        return gpu.host ?? .reference
    }

    /// The host `--host-speed speed` describes; the speed must be a positive finite number.
    public static func flag(_ speed: Double) throws(SimulatorError) -> HostSpec {
        guard speed > 0, speed.isFinite else {
            throw SimulatorError(source: "--host-speed", "must be a positive finite number, got \(speed)")
        }
        return HostSpec(cpu: "unnamed host at \(ConfigNode.format(speed))× the reference", singleThreadSpeed: speed, source: .flag)
    }

    /// The parameters with every host-side cost divided by the speed (unchanged for the reference).
    public func apply(to parameters: CalibrationParameters) -> CalibrationParameters {
        singleThreadSpeed == 1 ? parameters : parameters.withHostSpeed(singleThreadSpeed)
    }

    /// One line for tables: which host was assumed and why.
    public var summary: String {
        let speed = "single-thread speed \(NumberText.fixed(singleThreadSpeed, 2))× the reference (\(Self.referenceCPU))"
        switch source {
        case .reference: return "\(cpu) (the reference host: no host block in the GPU file, no --host-speed)"
        case .gpuFile: return "\(cpu) (from the GPU file), \(speed)"
        case .flag: return "--host-speed \(ConfigNode.format(singleThreadSpeed)): \(speed)"
        }
    }
}
