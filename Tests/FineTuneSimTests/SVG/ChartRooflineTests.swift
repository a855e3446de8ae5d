import Foundation
import XCTest

@testable import FineTuneSim

final class ChartRooflineTests: XCTestCase {
    static func example() -> ChartRoofline {
        let pts: [ChartRoofline.Point] = [
            .init(name: "qkv_proj", group: "gemm", intensity: 310, flops: 640e12, weight: 0.18),
            .init(name: "mlp_up", group: "gemm", intensity: 420, flops: 700e12, weight: 0.25),
            .init(name: "lora_A", group: "lora", intensity: 14, flops: 38e12, weight: 0.04),
            .init(name: "lora_B", group: "lora", intensity: 9, flops: 22e12, weight: 0.03),
            .init(name: "flash_attn", group: "attention", intensity: 160, flops: 420e12, weight: 0.22),
            .init(name: "rmsnorm", group: "norm", intensity: 0.6, flops: 1.9e12, weight: 0.05),
            .init(name: "silu_mul", group: "elementwise", intensity: 0.25, flops: 0.9e12, weight: 0.06),
            .init(name: "adamw", group: "optimizer", intensity: 0.4, flops: 1.2e12, weight: 0.07),
            .init(name: "cross_entropy", group: "loss", intensity: 2.1, flops: 6e12, weight: 0.03),
        ]
        var chart = ChartRoofline(
            title: "Roofline: H100 SXM (Llama-3-8B LoRA step)", memoryBandwidth: 3.35e12,
            computeRoofs: [
                (name: "bf16 tensor", peakFLOPs: 989e12),
                (name: "fp32 vector", peakFLOPs: 67e12),
            ],
            points: pts, memoryName: "HBM3")
        chart.labelPoints = true
        return chart
    }

    func testExampleIsWellFormedAndComplete() {
        let chart = Self.example()
        let svg = chart.svg()
        let doc = svgAssertWellFormedChart(svg)
        let texts = doc.texts
        XCTAssertTrue(texts.contains(chart.title))
        XCTAssertTrue(texts.contains("arithmetic intensity (FLOP/byte)"))
        XCTAssertTrue(texts.contains("achieved FLOP/s"))
        XCTAssertTrue(texts.contains("bf16 tensor 989 TFLOP/s"))
        XCTAssertTrue(texts.contains("fp32 vector 67 TFLOP/s"))
        XCTAssertTrue(texts.contains("HBM3 3.35 TB/s"))
        XCTAssertTrue(texts.contains("1 T") && texts.contains("100 T"), "SI tick labels")
        for g in chart.groups { XCTAssertTrue(texts.contains(g), g) }
        XCTAssertEqual(chart.groups, ["gemm", "lora", "attention", "norm", "elementwise", "optimizer", "loss"])
        XCTAssertEqual(doc.elements.filter { $0.cssClass == "point" }.count, chart.points.count)
        XCTAssertEqual(doc.all("polyline", cssClass: "roof-compute").count, 2)
        XCTAssertEqual(doc.all("polyline", cssClass: "roof-memory").count, 1)
        XCTAssertTrue(texts.contains("marker area \u{221D} time share"))
        svgAssertLegendRight(of: svgPlotFrameRight(doc), in: doc)
        XCTAssertEqual(svg, Self.example().svg())
    }

    func testMemoryRoofMeetsComputeRoofAtRidge() {
        let doc = svgAssertWellFormedChart(Self.example().svg())
        let memory = doc.all("polyline", cssClass: "roof-memory")[0].attributes["points"]!
        let end = memory.split(separator: " ").last!.split(separator: ",").compactMap { Double($0) }
        let top = doc.all("polyline", cssClass: "roof-compute")[0].attributes["points"]!
        let start = top.split(separator: " ").first!.split(separator: ",").compactMap { Double($0) }
        XCTAssertEqual(end[0], start[0], accuracy: 0.02)
        XCTAssertEqual(end[1], start[1], accuracy: 0.02)
    }

    func testEmptyAndDegenerateInputs() {
        let none = ChartRoofline(title: "empty", memoryBandwidth: 0, computeRoofs: [], points: [])
        let doc = svgAssertWellFormedChart(none.svg())
        XCTAssertTrue(doc.texts.contains("No data"))

        let roofsOnly = ChartRoofline(
            title: "roofs", memoryBandwidth: 2e12,
            computeRoofs: [(name: "peak", peakFLOPs: 500e12)], points: [])
        let roofDoc = svgAssertWellFormedChart(roofsOnly.svg())
        XCTAssertFalse(roofDoc.texts.contains("No data"))
        XCTAssertEqual(roofDoc.all("polyline", cssClass: "roof-compute").count, 1)

        let weird = ChartRoofline(
            title: "<&>", memoryBandwidth: .nan, computeRoofs: [(name: "a&b", peakFLOPs: -1)],
            points: [
                .init(name: "p", group: "<g>", intensity: 0, flops: 1e12),
                .init(name: "q", group: "<g>", intensity: 5, flops: 1e12),
            ])
        let weirdDoc = svgAssertWellFormedChart(weird.svg())
        XCTAssertTrue(weirdDoc.texts.contains("<g>"))
        XCTAssertEqual(weirdDoc.elements.filter { $0.cssClass == "point" }.count, 1)
        XCTAssertEqual(weirdDoc.all("polyline", cssClass: "roof-memory").count, 0)
    }
}
