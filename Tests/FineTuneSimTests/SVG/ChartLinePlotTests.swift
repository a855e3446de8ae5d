import Foundation
import XCTest

@testable import FineTuneSim

final class ChartLinePlotTests: XCTestCase {
    static func example() -> ChartLinePlot {
        let gpus = [1.0, 2, 4, 8, 16, 32, 64]
        var plot = ChartLinePlot(
            title: "Step time vs. GPU count (Llama-3-8B, LoRA r=16)",
            xLabel: "GPUs", yLabel: "step time (s)",
            series: [
                (name: "ZeRO-2", points: gpus.map { (x: $0, y: 12.0 / $0 + 0.15 * log2($0)) }),
                (name: "ZeRO-3", points: gpus.map { (x: $0, y: 12.5 / $0 + 0.3 * log2($0)) }),
                (name: "FSDP + activation checkpointing", points: gpus.map { (x: $0, y: 15.0 / $0 + 0.2 * log2($0)) }),
                (name: "DDP", points: gpus.map { (x: $0, y: 11.0 / $0 + 0.1 * $0) }),
            ],
            logX: true)
        plot.yLabelStyle = .plain
        return plot
    }

    func testExampleIsWellFormedAndComplete() {
        let plot = Self.example()
        let svg = plot.svg()
        let doc = svgAssertWellFormedChart(svg)
        let texts = doc.texts
        XCTAssertTrue(texts.contains(plot.title))
        XCTAssertTrue(texts.contains("GPUs"))
        XCTAssertTrue(texts.contains("step time (s)"))
        for s in plot.series { XCTAssertTrue(texts.contains(s.name), s.name) }
        XCTAssertEqual(doc.all("polyline", cssClass: "series").count, plot.series.count)
        XCTAssertEqual(doc.all("title").first?.text, plot.title)
        // Log x axis with decade ticks 1, 10, 100.
        XCTAssertTrue(texts.contains("1") && texts.contains("10") && texts.contains("100"))
        svgAssertLegendRight(of: svgPlotFrameRight(doc), in: doc)
        XCTAssertFalse(texts.contains("No data"))
    }

    func testOutputIsDeterministic() {
        XCTAssertEqual(Self.example().svg(), Self.example().svg())
        let data = (0..<50).map { (x: Double($0) * 0.37, y: sin(Double($0) * 0.37) * 1e-3) }
        let a = ChartLinePlot(title: "t", xLabel: "x", yLabel: "y", series: [(name: "s", points: data)]).svg()
        let b = ChartLinePlot(title: "t", xLabel: "x", yLabel: "y", series: [(name: "s", points: data)]).svg()
        XCTAssertEqual(a, b)
    }

    func testEscapesXMLSpecialCharacters() {
        let plot = ChartLinePlot(
            title: "A<B> & \"C\"", xLabel: "x < 1 & y", yLabel: "'q'",
            series: [(name: "<&>", points: [(x: 1, y: 2), (x: 2, y: 3)])])
        let svg = plot.svg()
        XCTAssertTrue(svg.contains("&lt;&amp;&gt;"))
        XCTAssertFalse(svg.contains("<&>"))
        let doc = svgAssertWellFormedChart(svg)
        XCTAssertTrue(doc.texts.contains("<&>"))
        XCTAssertTrue(doc.texts.contains("A<B> & \"C\""))
        XCTAssertTrue(doc.texts.contains("x < 1 & y"))
    }

    func testEmptySeriesListGivesNoDataChart() {
        let svg = ChartLinePlot(title: "Nothing", xLabel: "x", yLabel: "y", series: []).svg()
        let doc = svgAssertWellFormedChart(svg)
        XCTAssertEqual(doc.all("polyline").count, 0)
        XCTAssertEqual(doc.all("text", cssClass: "no-data").first?.text, "No data")
        XCTAssertTrue(doc.texts.contains("Nothing"))

        // Series whose points are all unusable behave the same, but keep their legend entries.
        let bad = ChartLinePlot(
            title: "Bad", xLabel: "x", yLabel: "y",
            series: [(name: "nan", points: [(x: .nan, y: 1), (x: 1, y: .infinity)])]
        ).svg()
        let badDoc = svgAssertWellFormedChart(bad)
        XCTAssertTrue(badDoc.texts.contains("No data"))
        XCTAssertTrue(badDoc.texts.contains("nan"))
    }

    func testSinglePointAndEqualValues() {
        let single = ChartLinePlot(
            title: "one", xLabel: "x", yLabel: "y",
            series: [(name: "p", points: [(x: 3, y: 7)])]
        ).svg()
        let d1 = svgAssertWellFormedChart(single)
        XCTAssertEqual(d1.all("polyline", cssClass: "series").count, 1)
        XCTAssertEqual(d1.all("circle", cssClass: "marker").count, 1)

        let flat = ChartLinePlot(
            title: "flat", xLabel: "x", yLabel: "y",
            series: [(name: "f", points: (0..<5).map { (x: Double($0), y: 2.5) })]
        ).svg()
        let d2 = svgAssertWellFormedChart(flat)
        let ys = d2.all("circle", cssClass: "marker").compactMap { $0.number("cy") }
        XCTAssertEqual(Set(ys).count, 1)
        let frame = d2.all("rect", cssClass: "plot-frame")[0]
        let top = frame.number("y")!, bottom = top + frame.number("height")!
        XCTAssertGreaterThan(ys[0], top)
        XCTAssertLessThan(ys[0], bottom)
    }

    func testNegativeValuesAndSkippedPoints() {
        let pts: [(x: Double, y: Double)] = [(-5, -3), (-1, .nan), (0, 0), (2, .infinity), (4, 6), (.nan, 1)]
        let svg = ChartLinePlot(title: "neg", xLabel: "x", yLabel: "y", series: [(name: "s", points: pts)]).svg()
        let doc = svgAssertWellFormedChart(svg)
        let line = doc.all("polyline", cssClass: "series")[0]
        XCTAssertEqual(line.attributes["points"]?.split(separator: " ").count, 3)
        XCTAssertTrue(doc.texts.contains { $0.hasPrefix("-") }, "negative tick labels")

        // Non-positive values are skipped on log axes.
        let log = ChartLinePlot(
            title: "log", xLabel: "x", yLabel: "y",
            series: [(name: "s", points: [(1, 1), (2, 0), (3, -1), (10, 100)])],
            logX: true, logY: true
        ).svg()
        let logDoc = svgAssertWellFormedChart(log)
        XCTAssertEqual(
            logDoc.all("polyline", cssClass: "series")[0].attributes["points"]?
                .split(separator: " ").count, 2)
    }

    func testManySeriesCyclePaletteAndDashes() {
        let series = (0..<14).map { i in
            (name: "series \(i)", points: (0..<6).map { (x: Double($0), y: Double($0 * (i + 1))) })
        }
        let svg = ChartLinePlot(title: "many", xLabel: "x", yLabel: "y", series: series).svg()
        let doc = svgAssertWellFormedChart(svg)
        let lines = doc.all("polyline", cssClass: "series")
        XCTAssertEqual(lines.count, 14)
        let styles = Set(lines.map { "\($0.attributes["stroke"] ?? "")|\($0.attributes["stroke-dasharray"] ?? "")" })
        XCTAssertEqual(styles.count, 14, "every series has a distinct color/dash combination")
        XCTAssertNil(lines[0].attributes["stroke-dasharray"])
        XCTAssertNotNil(lines[ChartPalette.colors.count].attributes["stroke-dasharray"])
        for i in 0..<14 { XCTAssertTrue(doc.texts.contains("series \(i)")) }
        svgAssertLegendRight(of: svgPlotFrameRight(doc), in: doc)
    }

    func testTallLegendGrowsCanvas() {
        let series = (0..<40).map { i in (name: "s\(i)", points: [(x: 0.0, y: Double(i)), (x: 1.0, y: Double(i))]) }
        var plot = ChartLinePlot(title: "tall", xLabel: "x", yLabel: "y", series: series)
        plot.height = 300
        let doc = svgAssertWellFormedChart(plot.svg())
        let h = doc.root!.number("height")!
        XCTAssertGreaterThan(h, 300)
        let box = doc.all("rect", cssClass: "legend-box")[0]
        XCTAssertLessThanOrEqual(box.number("y")! + box.number("height")!, h)
    }
}
