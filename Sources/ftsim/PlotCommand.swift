import ArgumentParser
import FineTuneSim
import Foundation

/// `ftsim plot`: a line chart of two CSV columns, one line per value of a series column.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Draw a line chart (SVG) of two columns of a CSV file, one line per series.")

    @Option(name: .customLong("in"), help: "CSV file with a header row.")
    var input: String
    @Option(help: "Column for the x axis (numeric).")
    var x: String
    @Option(help: "Column for the y axis (numeric).")
    var y: String
    @Option(help: "Column whose values name the lines (default: one line).")
    var series: String?
    @Option(help: "SVG file to write.")
    var out: String
    @Flag(name: .customLong("log-x"), help: "Logarithmic x axis.")
    var logX = false
    @Flag(name: .customLong("log-y"), help: "Logarithmic y axis.")
    var logY = false
    @Option(help: "Chart title (default: 'Y vs X').")
    var title: String?

    func run() throws {
        try runReporting {
            let csv = try CSVTable(contentsOfFile: input)
            guard !csv.header.isEmpty else { throw SimulatorError(source: input, "the CSV is empty (no header row)") }
            func column(_ name: String, _ flag: String) throws(SimulatorError) -> Int {
                guard let i = csv.columnIndex(name) else {
                    throw SimulatorError(
                        source: flag, "unknown column '\(name)' in \(input) (available: \(csv.header.joined(separator: ", ")))")
                }
                return i
            }
            let xi = try column(x, "--x")
            let yi = try column(y, "--y")
            let si = try series.map { s throws(SimulatorError) in try column(s, "--series") }
            guard !csv.rows.isEmpty else { throw SimulatorError(source: input, "the CSV has a header but no data rows") }
            var xs: [Double] = [], ys: [Double] = []
            for row in csv.rows {
                xs.append(try csv.double(row, xi))
                ys.append(try csv.double(row, yi))
            }
            var names: [String] = []
            var points: [String: [(x: Double, y: Double)]] = [:]
            for (r, row) in csv.rows.enumerated() {
                let name = si.map { row[$0] } ?? y
                if points[name] == nil { names.append(name); points[name] = [] }
                points[name]!.append((xs[r], ys[r]))
            }
            let lines = names.map { n in
                (
                    name: si == nil ? n : "\(series!)=\(n)",
                    points: points[n]!.enumerated().sorted { a, b in
                        a.element.x != b.element.x ? a.element.x < b.element.x : a.offset < b.offset
                    }.map(\.element)
                )
            }
            let chart = ChartLinePlot(title: title ?? "\(y) vs \(x)", xLabel: x, yLabel: y, series: lines, logX: logX, logY: logY)
            try writeOutput(chart.svg(), to: out, flag: "--out")
        }
    }
}
