import Foundation

/// Reads a trace folder's tidy CSVs (the formats in `Traces/a40-paper/README.md`, and single-kernel times as in
/// `Traces/vidur-kernels/README.md`) into measurements.
public enum TraceSet {
    /// Loads every recognized CSV in a folder (or one CSV file).
    public static func load(path: String) throws(SimulatorError) -> [Measurement] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SimulatorError(source: path, "no such file or folder")
        }
        let files: [String]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".csv") }.sorted().map { "\(path)/\($0)" }
        } else {
            files = [path]
        }
        let set = URL(fileURLWithPath: isDir.boolValue ? path : (path as NSString).deletingLastPathComponent).lastPathComponent
        var out: [Measurement] = []
        for f in files { out += try loadFile(f, set: set) }
        return out
    }

    static func loadFile(_ file: String, set: String) throws(SimulatorError) -> [Measurement] {
        let table = try CSVTable(contentsOfFile: file)
        let cols = Set(table.header)
        var out: [Measurement] = []
        func str(_ r: CSVTable.Row, _ c: String) throws(SimulatorError) -> String { try table.string(r, c) }
        if cols.isSuperset(of: ["model", "dataset", "gpu", "top_k", "batch", "throughput_qps"]) {
            for r in table.rows {
                out.append(
                    Measurement(
                        set: set, quantity: .throughput, model: try str(r, "model"), gpu: try str(r, "gpu"),
                        topK: try table.int(r, "top_k"),
                        batch: try table.int(r, "batch"), seq: nil, dataset: try str(r, "dataset"),
                        value: try table.double(r, "throughput_qps")))
            }
        } else if cols.isSuperset(of: ["model", "gpu", "seq", "top_k", "batch", "forward_s", "backward_s", "optimizer_s"]) {
            for r in table.rows {
                for (q, c) in [(Measurement.Quantity.forward, "forward_s"), (.backward, "backward_s"), (.optimizer, "optimizer_s")] {
                    out.append(
                        Measurement(
                            set: set, quantity: q, model: try str(r, "model"), gpu: try str(r, "gpu"), topK: try table.int(r, "top_k"),
                            batch: try table.int(r, "batch"), seq: try table.int(r, "seq"), dataset: nil, value: try table.double(r, c)))
                }
            }
        } else if cols.isSuperset(of: ["model", "gpu", "seq", "top_k", "batch", "layer", "seconds"]) {
            // Per-layer rows; the two norms of a decoder layer are one report key (`norm`).
            var order: [String] = []
            var byKey: [String: Measurement] = [:]
            for r in table.rows {
                let name = try str(r, "layer")
                let key: String
                switch name {
                case "input_norm", "post_attention_norm", "rmsnorm", "norm": key = "norm"
                case "attention", "moe", "mamba", "mlp": key = name
                default: throw SimulatorError(source: file, key: "row \(r.number) layer", "unknown layer '\(name)'")
                }
                let id = [try str(r, "model"), try str(r, "gpu"), try str(r, "seq"), try str(r, "top_k"), try str(r, "batch"), key].joined(
                    separator: "|")
                if var m = byKey[id] {
                    m.value += try table.double(r, "seconds")
                    byKey[id] = m
                } else {
                    var m = Measurement(
                        set: set, quantity: .layer, model: try str(r, "model"), gpu: try str(r, "gpu"), topK: try table.int(r, "top_k"),
                        batch: try table.int(r, "batch"), seq: try table.int(r, "seq"), dataset: nil, value: try table.double(r, "seconds"))
                    m.kernel = key
                    byKey[id] = m
                    order.append(id)
                }
            }
            out += order.map { byKey[$0]! }
        } else if cols.isSuperset(of: ["model", "gpu", "seq", "top_k", "batch", "kernel", "microseconds_per_moe_layer"]) {
            for r in table.rows {
                var m = Measurement(
                    set: set, quantity: .kernel, model: try str(r, "model"), gpu: try str(r, "gpu"), topK: try table.int(r, "top_k"),
                    batch: try table.int(r, "batch"), seq: try table.int(r, "seq"), dataset: nil,
                    value: try table.double(r, "microseconds_per_moe_layer") * 1e-6)
                m.kernel = try str(r, "kernel")
                out.append(m)
            }
        } else if cols.isSuperset(of: [
            "model", "method", "gpu", "gpus", "seq", "micro_batch", "grad_accum", "memory_g", "seconds_per_optimizer_step",
        ]) {
            out += try loadStepRows(table, file: file, set: set)
        } else if cols.isSuperset(of: ["model", "dataset", "gpu", "top_k", "max_batch"]) {
            for r in table.rows {
                let ds = try str(r, "dataset")
                let policy = cols.contains("seq_policy") ? try str(r, "seq_policy") : ""
                var seq: Int? = nil
                if ds == "fixed" {
                    guard let n = Int(policy.split(separator: " ").last ?? "") else {
                        throw SimulatorError(source: file, key: "seq_policy", "'\(policy)' does not end in a fixed length")
                    }
                    seq = n
                }
                out.append(
                    Measurement(
                        set: set, quantity: .maxBatch, model: try str(r, "model"), gpu: try str(r, "gpu"), topK: try table.int(r, "top_k"),
                        batch: 0, seq: seq, dataset: ds == "fixed" ? nil : ds, value: try table.double(r, "max_batch")))
            }
        } else if cols.isSuperset(of: KernelTraceRows.measuredColumns) {
            out += try KernelTraceRows.measurements(table, set: set)
        }
        return out
    }

    /// Bytes in the table's "GB" of `memory_g` (the Qwen table): binary gigabytes, as nvidia-smi and
    /// PyTorch's memory statistics count them divided by 1024³ (see `Traces/qwen1-a100-80gb/README.md`).
    public static let stepTableGigabyte = 1_073_741_824.0

    /// Rows of seconds per optimizer step and peak memory, one method per row (the Qwen table's format:
    /// `model,method,gpu,gpus,seq,micro_batch,grad_accum,memory_g,seconds_per_optimizer_step`); two
    /// measurements per row. Memory is converted to GB of 10^9 bytes, the simulator's unit.
    static func loadStepRows(_ table: CSVTable, file: String, set: String) throws(SimulatorError) -> [Measurement] {
        var out: [Measurement] = []
        for r in table.rows {
            func positive(_ c: String) throws(SimulatorError) -> Int {
                let v = try table.int(r, c)
                guard v >= 1 else {
                    throw SimulatorError(source: file, key: c, "row \(r.number) (line \(r.line)): must be at least 1, got \(v)")
                }
                return v
            }
            func positiveNumber(_ c: String) throws(SimulatorError) -> Double {
                let v = try table.double(r, c)
                guard v > 0 else {
                    throw SimulatorError(source: file, key: c, "row \(r.number) (line \(r.line)): must be positive, got \(v)")
                }
                return v
            }
            let gpus = try table.int(r, "gpus")
            guard gpus == 1 else {
                throw SimulatorError(
                    source: file, key: "gpus", "row \(r.number) (line \(r.line)): only single-GPU rows are simulated, got \(gpus)")
            }
            let name = TraceText.trimmed(try table.string(r, "method"))
            guard let method = TraceMethod(rawValue: name) else {
                throw SimulatorError(
                    source: file, key: "method",
                    "row \(r.number) (line \(r.line)): unknown method '\(name)' (expected \(TraceMethod.expected))")
            }
            var m = Measurement(
                set: set, quantity: .stepTime, model: TraceText.trimmed(try table.string(r, "model")),
                gpu: TraceText.trimmed(try table.string(r, "gpu")), topK: 0, batch: try positive("micro_batch"), seq: try positive("seq"),
                dataset: nil, value: try positiveNumber("seconds_per_optimizer_step"))
            m.method = method
            m.gradAccum = try positive("grad_accum")
            if let c = table.columnIndex("not_fitted") {
                let reason = TraceText.trimmed(r[c])
                m.notFitted = reason.isEmpty ? nil : reason
            }
            out.append(m)
            m.quantity = .peakMemory
            m.value = try positiveNumber("memory_g") * stepTableGigabyte / 1e9
            out.append(m)
        }
        return out
    }
}
