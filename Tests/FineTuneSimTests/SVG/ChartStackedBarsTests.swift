import Foundation
import XCTest

@testable import FineTuneSim

final class ChartStackedBarsTests: XCTestCase {
    static func example() -> ChartStackedBars {
        ChartStackedBars(
            title: "Time per phase by layer type (Jamba-mini, 8×H100)",
            yLabel: "time (s)",
            categories: ["forward", "backward", "optimizer"],
            segments: [
                (name: "attention", values: [0.120, 0.250, 0]),
                (name: "moe", values: [0.310, 0.640, 0]),
                (name: "mamba", values: [0.095, 0.210, 0]),
                (name: "norm", values: [0.012, 0.025, 0]),
                (name: "other", values: [0.030, 0.055, 0.081]),
            ])
    }

    func testExampleIsWellFormedAndComplete() {
        let chart = Self.example()
        let doc = svgAssertWellFormedChart(chart.svg())
        let texts = doc.texts
        XCTAssertTrue(texts.contains(chart.title))
        XCTAssertTrue(texts.contains("time (s)"))
        for c in chart.categories { XCTAssertTrue(texts.contains(c), c) }
        for s in chart.segments { XCTAssertTrue(texts.contains(s.name), s.name) }
        // 5 segments in forward and backward, 1 in optimizer.
        XCTAssertEqual(doc.all("rect", cssClass: "bar-segment").count, 11)
        let totals = doc.all("text", cssClass: "bar-total").map(\.text)
        XCTAssertEqual(totals, ["567 ms", "1.18 s", "81 ms"])
        // Segments stack: the bar top is above the baseline by exactly the scaled total.
        let bars = doc.all("rect", cssClass: "bar-segment")
        XCTAssertEqual(chart.totals[0], 0.567, accuracy: 1e-12)
        let legend = doc.all("rect", cssClass: "legend-box")[0]
        for b in bars { XCTAssertLessThan(b.number("x")! + b.number("width")!, legend.number("x")!) }
        XCTAssertEqual(chart.svg(), Self.example().svg())
    }

    func testLegendOrderMatchesStack() {
        let doc = svgAssertWellFormedChart(Self.example().svg())
        let labels = doc.all("text", cssClass: "legend-label").map(\.text)
        XCTAssertEqual(labels, ["other", "norm", "mamba", "moe", "attention"])
    }

    func testEmptyAndBadValues() {
        let empty = ChartStackedBars(title: "none", categories: [], segments: [])
        let doc = svgAssertWellFormedChart(empty.svg())
        XCTAssertTrue(doc.texts.contains("No data"))
        XCTAssertEqual(doc.all("rect", cssClass: "bar-segment").count, 0)

        let bad = ChartStackedBars(
            title: "bad <&>", categories: ["a & b", "c"],
            segments: [(name: "x<y", values: [.nan, -1]), (name: "z", values: [2])])
        let svg = bad.svg()
        let badDoc = svgAssertWellFormedChart(svg)
        XCTAssertEqual(badDoc.all("rect", cssClass: "bar-segment").count, 1)
        XCTAssertTrue(badDoc.texts.contains("a & b"))
        XCTAssertTrue(badDoc.texts.contains("x<y"))
        XCTAssertEqual(bad.totals, [2, 0])
    }

    func testLongCategoryNamesAreRotatedAndStayOnCanvas() {
        let cats = (0..<9).map { "very long category name number \($0)" }
        var chart = ChartStackedBars(
            title: "rotated", categories: cats,
            segments: [(name: "a", values: cats.indices.map { Double($0) + 1 })])
        chart.unit = ""
        let doc = svgAssertWellFormedChart(chart.svg())
        let labels = doc.all("text", cssClass: "category-label")
        XCTAssertEqual(labels.count, 9)
        XCTAssertTrue(labels.allSatisfy { $0.attributes["transform"] != nil })
        XCTAssertEqual(doc.all("text", cssClass: "bar-total").last?.text, "9")
    }

    func testManySegmentsGetHatchedFills() {
        let chart = ChartStackedBars(
            title: "many", categories: ["optimizer"],
            segments: (0..<12).map { (name: "bucket \($0)", values: [Double($0 + 1)]) })
        let svg = chart.svg()
        let doc = svgAssertWellFormedChart(svg)
        let fills = doc.all("rect", cssClass: "bar-segment").compactMap { $0.attributes["fill"] }
        XCTAssertEqual(fills.count, 12)
        XCTAssertEqual(Set(fills).count, 12, "every segment has a distinct fill")
        XCTAssertTrue(fills[8].hasPrefix("url(#"))
        let defined = Set(doc.all("pattern").compactMap { $0.attributes["id"] })
        for f in fills where f.hasPrefix("url(#") {
            XCTAssertTrue(defined.contains(String(f.dropFirst(5).dropLast())), f)
        }
        XCTAssertEqual(svg, chart.svg())
    }
}
