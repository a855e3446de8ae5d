import Foundation

/// Measured per-expert token loads (`Configs/routing/expert_tokens.csv`, from the paper's artifact).
public enum MeasuredRouting {
    /// Loads for a model (and dataset, if given; else averaged over datasets), fine-tuned state.
    public static func loads(catalog: ConfigCatalog, model: String, dataset: String?) throws(SimulatorError) -> [Double] {
        let path = "\(catalog.root)/routing/expert_tokens.csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw SimulatorError(source: path, "cannot read file") }
        var sums: [Int: Double] = [:]
        var found = false
        // Lines end in LF or CRLF (in Swift "\r\n" is one Character, so splitting on "\n" alone would not split them);
        // a byte-order mark and blank lines are skipped.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (n, raw) in lines.enumerated() where n > 0 {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 5 else { throw SimulatorError(source: path, key: "line \(n + 1)", "expected 5 columns, got \(f.count)") }
            guard f[0] == model, dataset == nil || f[1] == dataset, f[2] == "finetuned" else { continue }
            guard let e = Int(f[3]), let t = Double(f[4]) else {
                throw SimulatorError(source: path, key: "line \(n + 1)", "'\(line)' has a non-numeric expert or tokens")
            }
            sums[e, default: 0] += t
            found = true
        }
        guard found else {
            throw SimulatorError(
                source: "--routing",
                "no measured expert loads for model '\(model)'\(dataset.map { " and dataset '\($0)'" } ?? "") in \(path)")
        }
        return sums.keys.sorted().map { sums[$0]! }
    }
}
