/// A profiler export format that `ftsim import-trace` reads.
public enum TraceFormat: String, Sendable, CaseIterable, Codable {
    /// PyTorch profiler / Kineto Chrome-trace JSON (`.json` or `.json.gz`), with individual kernel events.
    case kineto
    /// Nsight Systems `cuda_gpu_kern_sum` CSV: per-kernel totals, no individual events.
    case nsys

    /// Parses a `--format` value; an unknown value names the flag and lists the valid ones.
    public init(flag value: String, flagName: String = "--format") throws(SimulatorError) {
        guard let format = TraceFormat(rawValue: TraceText.trimmed(value).lowercased()) else {
            let valid = TraceFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw SimulatorError(source: flagName, "unknown format '\(value)' (expected one of: \(valid))")
        }
        self = format
    }

    /// Guesses the format from a file name: `.json`/`.json.gz` are Kineto, `.csv`/`.csv.gz` are nsys;
    /// nil otherwise (the importer then looks at the content).
    public static func guess(path: String) -> TraceFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") || lower.hasSuffix(".json.gz") { return .kineto }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") { return .nsys }
        return nil
    }
}

/// A trace imported from a profiler: the common output of every importer.
///
/// Kineto input keeps each kernel event in ``kernels``; nsys input has only per-name totals, so ``kernels`` is
/// empty and ``kernelSummary()`` is built from those totals. Either way ``kernelSummary()`` is what
/// `ftsim import-trace` writes.
public struct ImportedTrace: Sendable {
    /// The input file path.
    public var source: String
    public var format: TraceFormat
    /// The GPU name (Kineto `deviceProperties`), nil when the input does not say.
    public var deviceName: String?
    /// Distinct `ProfilerStep#N` annotations found; nil when the format cannot carry them (nsys).
    public var stepCount: Int?
    /// Mean duration of the `ProfilerStep#N` ranges in seconds, nil when there are none.
    public var meanStepTime_s: Double?
    /// Individual kernel executions in start order (Kineto only; empty for nsys).
    public var kernels: [KernelRecord]
    /// The absolute trace time (µs, as in the file) that ``KernelRecord/start_s`` counts from:
    /// the earliest kernel or step start. Nil when there are no events.
    public var originMicroseconds: Double?
    /// GPU memory copies and sets (Kineto `gpu_memcpy` / `gpu_memset`), counted but kept out of ``kernels``.
    public var memcpyCount: Int
    public var memcpyTotal_s: Double
    public var memsetCount: Int
    public var memsetTotal_s: Double
    /// Per-name totals for inputs without individual events (nsys); nil when ``kernels`` is the data.
    public var precomputedSummary: [KernelSummaryRow]?

    public init(
        source: String,
        format: TraceFormat,
        deviceName: String? = nil,
        stepCount: Int? = nil,
        meanStepTime_s: Double? = nil,
        kernels: [KernelRecord] = [],
        originMicroseconds: Double? = nil,
        memcpyCount: Int = 0,
        memcpyTotal_s: Double = 0,
        memsetCount: Int = 0,
        memsetTotal_s: Double = 0,
        precomputedSummary: [KernelSummaryRow]? = nil
    ) {
        self.source = source
        self.format = format
        self.deviceName = deviceName
        self.stepCount = stepCount
        self.meanStepTime_s = meanStepTime_s
        self.kernels = kernels
        self.originMicroseconds = originMicroseconds
        self.memcpyCount = memcpyCount
        self.memcpyTotal_s = memcpyTotal_s
        self.memsetCount = memsetCount
        self.memsetTotal_s = memsetTotal_s
        self.precomputedSummary = precomputedSummary
    }

    /// Kernel time aggregated per name, sorted by total time descending, then name.
    public func kernelSummary() -> KernelSummary {
        var rows: [KernelSummaryRow]
        if let precomputedSummary {
            rows = precomputedSummary
        } else {
            var byName: [String: Int] = [:]
            rows = []
            for kernel in kernels {
                if let index = byName[kernel.name] {
                    rows[index].calls += 1
                    rows[index].total_s += kernel.duration_s
                } else {
                    byName[kernel.name] = rows.count
                    rows.append(KernelSummaryRow(name: kernel.name, kind: kernel.kind, calls: 1, total_s: kernel.duration_s))
                }
            }
        }
        rows.sort { $0.total_s != $1.total_s ? $0.total_s > $1.total_s : $0.name < $1.name }
        return KernelSummary(
            source: source, format: format, deviceName: deviceName, stepCount: stepCount,
            meanStepTime_s: meanStepTime_s, rows: rows,
            memcpyCount: precomputedSummary == nil ? memcpyCount : nil,
            memsetCount: precomputedSummary == nil ? memsetCount : nil)
    }

    /// The summary as tidy CSV (see ``KernelSummary/csv()``).
    public func csv() -> String { kernelSummary().csv() }
}

extension ImportedTrace {
    /// One GPU kernel execution from a trace with individual events (Kineto).
    public struct KernelRecord: Sendable, Equatable {
        /// The kernel name as the profiler wrote it (mangled or demangled).
        public var name: String
        /// The kind from the kernel-name map, nil when no rule matched.
        public var kind: KernelKind?
        /// The CUDA stream, when the trace says.
        public var stream: Int?
        /// The GPU index, when the trace says.
        public var device: Int?
        /// Start time in seconds since ``ImportedTrace/originMicroseconds``.
        public var start_s: Double
        /// Duration in seconds.
        public var duration_s: Double

        public init(name: String, kind: KernelKind?, stream: Int?, device: Int? = nil, start_s: Double, duration_s: Double) {
            self.name = name
            self.kind = kind
            self.stream = stream
            self.device = device
            self.start_s = start_s
            self.duration_s = duration_s
        }
    }

    /// One row of a kernel summary: all calls of one kernel name.
    public struct KernelSummaryRow: Sendable, Equatable {
        public var name: String
        /// The mapped kind, nil when unmapped.
        public var kind: KernelKind?
        public var calls: Int
        public var total_s: Double

        /// Mean time per call (0 when there are no calls).
        public var mean_s: Double { calls > 0 ? total_s / Double(calls) : 0 }
        /// The kind's raw value, or `unmapped`.
        public var kindLabel: String { kind?.rawValue ?? KernelSummary.unmappedLabel }

        public init(name: String, kind: KernelKind?, calls: Int, total_s: Double) {
            self.name = name
            self.kind = kind
            self.calls = calls
            self.total_s = total_s
        }
    }

    /// Per-kernel-name totals of an imported trace, with the trace's metadata for the CSV header.
    public struct KernelSummary: Sendable, Equatable {
        /// The `kind` column value for names no rule matched.
        public static let unmappedLabel = "unmapped"
        /// The CSV column header.
        public static let columns = ["name", "kind", "calls", "total_s", "mean_s"]

        public var source: String
        public var format: TraceFormat
        public var deviceName: String?
        public var stepCount: Int?
        public var meanStepTime_s: Double?
        /// Sorted by total time descending, then name.
        public var rows: [KernelSummaryRow]
        public var memcpyCount: Int?
        public var memsetCount: Int?

        /// Sum of all kernel time in seconds.
        public var total_s: Double { rows.reduce(0) { $0 + $1.total_s } }
        /// Number of kernel calls.
        public var calls: Int { rows.reduce(0) { $0 + $1.calls } }
        /// Kernel time of unmapped names in seconds.
        public var unmapped_s: Double { rows.reduce(0) { $0 + ($1.kind == nil ? $1.total_s : 0) } }
        /// Fraction of kernel time whose name no rule matched (0 when there is no kernel time).
        public var unmappedShare: Double { total_s > 0 ? unmapped_s / total_s : 0 }
        /// Total kernel seconds per kind; unmapped time is under nil.
        public var totalsByKind: [KernelKind?: Double] {
            rows.reduce(into: [:]) { $0[$1.kind, default: 0] += $1.total_s }
        }

        /// The `# key: value` header lines, in order.
        public var metadata: [(key: String, value: String)] {
            var lines: [(String, String)] = [
                ("source", source),
                ("format", format.rawValue),
                ("device", deviceName ?? "unknown"),
                ("steps", stepCount.map(String.init) ?? "unknown"),
            ]
            if let meanStepTime_s { lines.append(("step_time_s", TraceText.number(meanStepTime_s))) }
            lines.append(("kernel_time_s", TraceText.number(total_s)))
            lines.append(("kernel_calls", String(calls)))
            lines.append(("kernel_names", String(rows.count)))
            lines.append(("unmapped_share", TraceText.number(unmappedShare)))
            if let memcpyCount { lines.append(("memcpy_events", String(memcpyCount))) }
            if let memsetCount { lines.append(("memset_events", String(memsetCount))) }
            return lines.map { (key: $0.0, value: $0.1) }
        }

        /// Tidy CSV: `# key: value` comment lines (source, format, device, steps, step_time_s when known,
        /// kernel_time_s, kernel_calls, kernel_names, unmapped_share, memcpy/memset counts for Kineto), then
        /// `name,kind,calls,total_s,mean_s` and one row per kernel name. Fields are quoted when needed and
        /// numbers are printed with at most 9 significant digits, independent of the locale. Lines end in LF.
        public func csv() -> String {
            var out = ""
            for (key, value) in metadata {
                out += "# \(key): \(TraceText.oneLine(value))\n"
            }
            out += CSVTable.line(KernelSummary.columns) + "\n"
            for row in rows {
                out +=
                    CSVTable.line([
                        row.name, row.kindLabel, String(row.calls), TraceText.number(row.total_s), TraceText.number(row.mean_s),
                    ]) + "\n"
            }
            return out
        }
    }
}

/// Entry point for `ftsim import-trace`: reads a profiler export into an ``ImportedTrace``.
public enum TraceImporter {
    /// Imports `path`, un-gzipping it when its content is gzip. With `format` nil the format is guessed from
    /// the extension, then from the (decompressed) content: a leading `{` or `[` means Kineto, anything else
    /// nsys CSV. The map gives each kernel name its kind.
    public static func importTrace(at path: String, format: TraceFormat? = nil, nameMap: KernelNameMap) throws(SimulatorError)
        -> ImportedTrace
    {
        let data = try TraceFile.readMaybeGzip(path)
        let chosen = format ?? TraceFormat.guess(path: path) ?? sniff(data)
        switch chosen {
        case .kineto:
            return try KinetoTraceParser.parse(data: data, source: path, nameMap: nameMap)
        case .nsys:
            guard let text = String(validating: data, as: UTF8.self) else {
                throw SimulatorError(source: path, "file is not valid UTF-8 text, so not an nsys CSV")
            }
            return try NsysKernelSummaryParser.parse(text: text, source: path, nameMap: nameMap)
        }
    }

    private static func sniff(_ data: some Collection<UInt8>) -> TraceFormat {
        for byte in data.prefix(4096) {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .kineto
            default: return .nsys
            }
        }
        return .nsys
    }
}
