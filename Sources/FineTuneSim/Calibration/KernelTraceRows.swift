/// Single-kernel rows of a CSV: `op,m,n,k,elements,dtype` (the `ftsim kernels` input) and, with a measured
/// time, `op_s` measurements (e.g. `Traces/vidur-kernels`).
///
/// A measured file has the columns `gpu,op,m,n,k,elements,median_s` (`dtype` optional, default bf16); the
/// optional `model`, `tensor_parallel`, `num_tokens` and `vidur_op` columns only label the rows. Empty shape
/// cells count as 0; each row's shape is checked for its operation.
public enum KernelTraceRows {
    /// The columns that make a CSV a file of measured single kernels.
    public static let measuredColumns: Set<String> = ["gpu", "op", "m", "n", "k", "elements", "median_s"]

    /// The kernel query of one row, validated for its operation.
    public static func query(_ table: CSVTable, _ row: CSVTable.Row) throws(SimulatorError) -> KernelQuery {
        let opColumn = try table.requireColumn("op")
        let opText = TraceText.trimmed(row[opColumn])
        guard let op = KernelQuery.Op(rawValue: opText) else {
            throw SimulatorError(
                source: table.source, key: "row \(row.number) op",
                "unknown op '\(opText)' (expected \(KernelQuery.Op.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var dtype = DType.bf16
        if let c = table.columnIndex("dtype"), !TraceText.trimmed(row[c]).isEmpty {
            let text = TraceText.trimmed(row[c])
            guard let d = DType(rawValue: text) else {
                throw SimulatorError(source: table.source, key: "row \(row.number) dtype", "unknown dtype '\(text)'")
            }
            dtype = d
        }
        func number(_ name: String) throws(SimulatorError) -> Double {
            guard let c = table.columnIndex(name), !TraceText.trimmed(row[c]).isEmpty else { return 0 }
            return try table.double(row, c)
        }
        let q = KernelQuery(
            op: op, m: try number("m"), n: try number("n"), k: try number("k"), elements: try number("elements"), dtype: dtype)
        try q.validate(source: table.source, row: "row \(row.number)")
        return q
    }

    /// The `op_s` measurements of a file with ``measuredColumns``, in row order.
    public static func measurements(_ table: CSVTable, set: String) throws(SimulatorError) -> [Measurement] {
        var out: [Measurement] = []
        out.reserveCapacity(table.rows.count)
        let medianColumn = try table.requireColumn("median_s")
        func optional(_ row: CSVTable.Row, _ name: String) -> String? {
            guard let c = table.columnIndex(name) else { return nil }
            let text = TraceText.trimmed(row[c])
            return text.isEmpty ? nil : text
        }
        for r in table.rows {
            let q = try query(table, r)
            let seconds = try table.double(r, medianColumn)
            guard seconds > 0 else { throw table.fieldError(r, medianColumn, "a kernel time must be positive, got \(r[medianColumn])") }
            let gpu = try table.string(r, "gpu")
            guard !TraceText.trimmed(gpu).isEmpty else {
                throw SimulatorError(source: table.source, key: "row \(r.number) gpu", "empty gpu id")
            }
            let tokens = optional(r, "num_tokens")
            var label: [String] = []
            if let tp = optional(r, "tensor_parallel") { label.append("tp\(tp)") }
            if let tokens { label.append("\(tokens) tok") }
            label.append(optional(r, "vidur_op") ?? q.op.rawValue)
            var m = Measurement(
                set: set, quantity: .op, model: optional(r, "model") ?? "", gpu: TraceText.trimmed(gpu), topK: 0,
                batch: tokens.flatMap { Int($0) } ?? 0, seq: nil, dataset: nil, value: seconds)
            m.kernel = label.joined(separator: " ")
            m.query = q
            out.append(m)
        }
        return out
    }
}
