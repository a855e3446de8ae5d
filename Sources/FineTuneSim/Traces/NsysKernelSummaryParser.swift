/// Reads an Nsight Systems kernel summary (`nsys stats --report cuda_gpu_kern_sum --format csv`).
///
/// The current header is `Time (%),Total Time (ns),Instances,Avg (ns),Med (ns),Min (ns),Max (ns),StdDev (ns),Name`;
/// older nsys versions (`gpukernsum`) write `Time(%)`, `Total Time` or `Total Time (ns)`, `Instances`,
/// `Average`... Columns are found by name with spaces and case ignored; only `Name`, the total time and the
/// instance count are required. The time unit comes from the header's `(ns)`, `(us)`, `(ms)` or `(s)`
/// (none means ns, as nsys writes). Lines before the header (nsys's "Processing [...]" log) are skipped.
/// Rows with the same name are merged. There are no individual events, so the trace has only totals.
public enum NsysKernelSummaryParser {
    /// Accepted spellings of the instance-count column, normalized (lowercase, no spaces).
    static let instanceColumns: Set<String> = ["instances", "calls", "numcalls", "count", "numinstances"]

    /// Parses the CSV text. `source` names the file in errors.
    public static func parse(text: String, source: String, nameMap: KernelNameMap) throws(SimulatorError) -> ImportedTrace {
        // The header is the first record with a Name column; log lines before it are skipped.
        let table = try CSVTable(text: text, source: source) { fields in
            fields.contains { normalized($0) == "name" }
        }
        let nameColumn = try table.requireColumn("Name") { normalized($0) == "name" }
        let totalColumn = try table.requireColumn("Total Time (ns)") { totalTimeScale($0) != nil }
        let callsColumn = try table.requireColumn("Instances") { instanceColumns.contains(normalized($0)) }
        let scale = totalTimeScale(table.header[totalColumn]) ?? 1e-9

        var rows: [ImportedTrace.KernelSummaryRow] = []
        var byName: [String: Int] = [:]
        for row in table.rows {
            // A fully empty line inside the table (e.g. ",,,") carries nothing.
            if row.fields.allSatisfy({ TraceText.trimmed($0).isEmpty }) { continue }
            let name = row[nameColumn]
            guard !TraceText.trimmed(name).isEmpty else {
                throw table.fieldError(row, nameColumn, "empty kernel name")
            }
            let total = try table.double(row, totalColumn)
            guard total >= 0 else { throw table.fieldError(row, totalColumn, "negative total time: \(row[totalColumn])") }
            let calls = try table.int(row, callsColumn)
            guard calls >= 0 else { throw table.fieldError(row, callsColumn, "negative instance count: \(row[callsColumn])") }
            if let index = byName[name] {
                rows[index].calls += calls
                rows[index].total_s += total * scale
            } else {
                byName[name] = rows.count
                rows.append(ImportedTrace.KernelSummaryRow(name: name, kind: nameMap.kind(for: name), calls: calls, total_s: total * scale))
            }
        }
        return ImportedTrace(source: source, format: .nsys, precomputedSummary: rows)
    }

    /// Lowercased, without spaces and tabs: "Total Time (ns)" → "totaltime(ns)".
    static func normalized(_ header: String) -> String {
        String(header.lowercased().filter { $0 != " " && $0 != "\t" && $0 != "\u{FEFF}" })
    }

    /// Seconds per unit when `header` names a total-time column, else nil.
    static func totalTimeScale(_ header: String) -> Double? {
        let text = normalized(header)
        guard text.hasPrefix("totaltime") else { return nil }
        switch text.dropFirst("totaltime".count) {
        case "", "(ns)", "(nsec)": return 1e-9
        case "(us)", "(µs)", "(μs)", "(usec)": return 1e-6
        case "(ms)", "(msec)": return 1e-3
        case "(s)", "(sec)": return 1
        default: return nil
        }
    }
}
