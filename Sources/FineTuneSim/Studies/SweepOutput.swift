import Foundation

/// Runs a sweep into a file (CSV with a header, or JSON Lines), with sharding and resume.
public struct SweepOutput: Sendable {
    /// The sweep.
    public let sweep: Sweep
    /// Output file.
    public let path: String
    public let format: Sweep.Format

    public init(sweep: Sweep, path: String, format: Sweep.Format) {
        self.sweep = sweep
        self.path = path
        self.format = format
    }

    /// The configurations of shard `index`/`count` (index from 1): those with `config_index % count == index - 1`.
    public func configurations(shard: (index: Int, count: Int)?) -> [SweepConfiguration] {
        let all = sweep.axes.configurations
        guard let s = shard else { return all }
        return all.filter { $0.index % s.count == s.index - 1 }
    }

    /// Writes the rows of the shard's configurations, or with `resume` only those missing from the file
    /// (a partial last line is dropped first). Returns (rows written, rows already present).
    @discardableResult
    public func run(
        jobs: Int, shard: (index: Int, count: Int)? = nil, resume: Bool = false, progress: ((Int, Int) -> Void)? = nil
    ) throws(SimulatorError) -> (written: Int, skipped: Int) {
        var todo = configurations(shard: shard)
        let fm = FileManager.default
        var handle: FileHandle
        var skipped = 0
        if resume, fm.fileExists(atPath: path) {
            guard let data = fm.contents(atPath: path), let h = FileHandle(forUpdatingAtPath: path) else {
                throw SimulatorError(source: "--out", "cannot read and write '\(path)' to resume")
            }
            handle = h
            // Keep complete lines only.
            let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let lines = String(decoding: data.prefix(keep), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast()
            var body = lines[...]
            if format == .csv, let first = body.first {
                guard first == SweepRow.csvHeader.dropLast() else {
                    throw SimulatorError(
                        source: path, "cannot resume: the header is not this sweep's (\(SweepRow.columns.joined(separator: ",")))")
                }
                body = body.dropFirst()
            }
            let byIndex = Dictionary(uniqueKeysWithValues: todo.map { ($0.index, $0) })
            var done = Set<Int>()
            for (n, line) in body.enumerated() {
                let lineNumber = n + 1 + (format == .csv ? 1 : 0)
                guard let i = Self.configIndex(line, format: format), let c = byIndex[i],
                    line.hasPrefix(sweep.inputPrefix(c, format: format))
                else {
                    throw SimulatorError(
                        source: path, "cannot resume: line \(lineNumber) is not a row of this sweep (other flags or shard?)")
                }
                done.insert(i)
            }
            do {
                try handle.truncate(atOffset: UInt64(keep))
                try handle.seekToEnd()
                if format == .csv, lines.isEmpty { try handle.write(contentsOf: Data(SweepRow.csvHeader.utf8)) }
            } catch {
                throw SimulatorError(source: "--out", "cannot write '\(path)'")
            }
            skipped = done.count
            todo.removeAll { done.contains($0.index) }
        } else {
            guard fm.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw SimulatorError(source: "--out", "cannot write '\(path)'")
            }
            handle = h
            if format == .csv {
                do { try handle.write(contentsOf: Data(SweepRow.csvHeader.utf8)) } catch {
                    throw SimulatorError(source: "--out", "cannot write '\(path)'")
                }
            }
        }
        defer { try? handle.close() }
        var written = 0
        let total = todo.count
        do {
            try sweep.run(todo, jobs: jobs) { row in
                try handle.write(contentsOf: Data((format == .csv ? row.csvLine : row.jsonLine).utf8))
                written += 1
                progress?(written, total)
            }
        } catch {
            throw SimulatorError(source: "--out", "cannot write '\(path)' after \(written) rows")
        }
        return (written, skipped)
    }

    /// The `config_index` at the start of a row.
    static func configIndex(_ line: Substring, format: Sweep.Format) -> Int? {
        var rest = line
        if format == .jsonl {
            let p = "{\"config_index\":"
            guard rest.hasPrefix(p) else { return nil }
            rest = rest.dropFirst(p.count)
        }
        return Int(rest.prefix { $0.isNumber })
    }
}
