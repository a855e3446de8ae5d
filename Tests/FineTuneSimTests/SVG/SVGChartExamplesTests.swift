import Foundation
import XCTest

@testable import FineTuneSim

/// Writes the example charts to the folder named by `SVG_CHARTS_EXAMPLES` (when set) so that they
/// can be rendered to PNG and inspected; does nothing otherwise.
final class SVGChartExamplesTests: XCTestCase {
    func testWriteExamples() throws {
        guard let dir = ProcessInfo.processInfo.environment["SVG_CHARTS_EXAMPLES"], !dir.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var manySeries: [(name: String, points: [(x: Double, y: Double)])] = []
        for i in 0..<11 {
            var points: [(x: Double, y: Double)] = []
            for j in 1...8 {
                let scale = Double(1000 * (i + 1))
                points.append((x: Double(j * 512), y: scale * (1 - 0.05 * Double(j)) - 4000))
            }
            manySeries.append((name: "config \(i) <&>", points: points))
        }
        var many = ChartLinePlot(
            title: "Throughput, many series with <special> & \"odd\" names",
            xLabel: "sequence length (tokens)", yLabel: "tokens/s", series: manySeries)
        many.yLabelStyle = .si
        let charts: [(String, String)] = [
            ("line.svg", ChartLinePlotTests.example().svg()),
            ("line-many.svg", many.svg()),
            ("line-empty.svg", ChartLinePlot(title: "Nothing to show", xLabel: "x", yLabel: "y", series: []).svg()),
            (
                "line-single.svg",
                ChartLinePlot(
                    title: "One point", xLabel: "x", yLabel: "y",
                    series: [(name: "only", points: [(x: 3, y: 7)])]
                ).svg()
            ),
            ("bars.svg", ChartStackedBarsTests.example().svg()),
            (
                "bars-rotated.svg",
                ChartStackedBars(
                    title: "Long category names",
                    categories: (0..<9).map { "very long category name \($0)" },
                    segments: [
                        (name: "a", values: (0..<9).map { Double($0) + 1 }),
                        (name: "b", values: (0..<9).map { 9 - Double($0) }),
                    ]
                ).svg()
            ),
            ("roofline.svg", ChartRooflineTests.example().svg()),
            ("roofline-dense.svg", Self.denseRoofline().svg()),
            ("line-logy.svg", Self.logLine().svg()),
            (
                "bars-single.svg",
                ChartStackedBars(
                    title: "Optimizer step", categories: ["optimizer"],
                    segments: (0..<12).map { (name: "bucket \($0)", values: [Double($0 + 1) * 1e-3]) }
                ).svg()
            ),
        ]
        for (name, svg) in charts {
            try svg.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    static func denseRoofline() -> ChartRoofline {
        var pts: [ChartRoofline.Point] = []
        let kinds = ["gemm", "attention", "elementwise", "norm"]
        for i in 0..<32 {
            let intensity = 0.2 * pow(1.35, Double(i))
            let roof = min(2e12 * intensity, 624e12)
            pts.append(
                .init(
                    name: "k\(i)", group: kinds[i % kinds.count], intensity: intensity,
                    flops: roof * (0.3 + 0.6 * Double((i * 7) % 10) / 10)))
        }
        return ChartRoofline(
            title: "Dense roofline (A100-like, close roofs)", memoryBandwidth: 2e12,
            computeRoofs: [
                (name: "fp16 tensor (sparse)", peakFLOPs: 624e12),
                (name: "fp16 tensor", peakFLOPs: 312e12),
                (name: "tf32 tensor", peakFLOPs: 156e12),
                (name: "fp32 vector", peakFLOPs: 19.5e12),
            ],
            points: pts, memoryName: "HBM2e")
    }

    static func logLine() -> ChartLinePlot {
        var plot = ChartLinePlot(
            title: "Memory vs. sequence length", xLabel: "sequence length", yLabel: "bytes",
            series: [
                (name: "activations", points: (8...17).map { (x: pow(2, Double($0)), y: 3e6 * pow(2, Double($0))) }),
                (name: "weights", points: (8...17).map { (x: pow(2, Double($0)), y: 1.6e10) }),
                (name: "optimizer state", points: (8...17).map { (x: pow(2, Double($0)), y: 3.2e10) }),
            ],
            logX: true, logY: true)
        plot.yLabelStyle = .si
        return plot
    }
}
