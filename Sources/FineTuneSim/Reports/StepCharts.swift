import Foundation

/// The charts of one simulated step: GPU time stacked by phase and layer type, and the kernels on the
/// GPU's roofline; `combinedSVG` stacks both in one SVG document (bars on top, roofline below).
public struct StepCharts: Sendable {
    /// The step.
    public let report: StepReport
    /// The GPU it ran on.
    public let gpu: GPUSpec
    /// A title prefix (model, method, shape).
    public let title: String

    /// Creates the charts of a step.
    public init(report: StepReport, gpu: GPUSpec, title: String) {
        self.report = report
        self.gpu = gpu
        self.title = title
    }

    /// GPU seconds per (reported phase, layer report key), from the kernel totals.
    public var phaseLayerSeconds: [Phase: [String: Double]] {
        var out: [Phase: [String: Double]] = [:]
        for k in report.kernels { out[k.phase.reported, default: [:]][k.layer.reportKey, default: 0] += k.timeSeconds }
        return out
    }

    /// Wall seconds per reported phase in which the GPU sat idle waiting for the host: the phase's wall
    /// time less its GPU seconds (the per-step host overhead is outside every phase).
    public var phaseHostBoundSeconds: [Phase: Double] {
        let t = phaseLayerSeconds
        var out: [Phase: Double] = [:]
        for ph in [Phase.forward, .backward, .optimizer] {
            let busy = StepReport.layerOrder.reduce(0) { $0 + (t[ph]?[$1] ?? 0) }
            out[ph] = max(0, (report.phases[ph] ?? 0) - busy)
        }
        return out
    }

    /// The name of the host-bound segment in ``breakdown``.
    public static let hostBoundSegment = "host-bound (GPU idle)"

    /// Bars: forward, backward (with recompute), optimizer — each the phase's wall time, its GPU seconds
    /// stacked by layer type and on top the time the GPU sat idle waiting for the host — and the per-step
    /// host overhead. The bars add up to the step time.
    public var breakdown: ChartStackedBars {
        let phases: [Phase] = [.forward, .backward, .optimizer]
        let t = phaseLayerSeconds
        let keys = StepReport.layerOrder.filter { key in phases.contains { (t[$0]?[key] ?? 0) > 0 } }
        let idle = phaseHostBoundSeconds
        var segments = keys.map { key in (name: key, values: phases.map { t[$0]?[key] ?? 0 } + [0]) }
        segments.append((name: Self.hostBoundSegment, values: phases.map { idle[$0] ?? 0 } + [report.hostOverhead]))
        var chart = ChartStackedBars(
            title: "Wall time by phase: GPU busy by layer, GPU idle waiting for the host · \(title)", yLabel: "seconds per step",
            categories: ["forward", "backward", "optimizer", "host overhead"], segments: segments, showTotals: true)
        chart.width = 900
        chart.xLabel =
            "phase (backward includes recompute); host-bound: \(NumberText.percent(report.gpuIdle, of: report.stepTime)) of the step"
        return chart
    }

    /// The kernels (aggregated per name, layer type and phase) on the GPU's roofline: intensity =
    /// FLOPs / bytes, achieved = FLOPs / GPU time, marker area ∝ share of GPU time, colored by kind.
    public var roofline: ChartRoofline {
        let total = report.kernels.reduce(0) { $0 + $1.timeSeconds }
        let points = report.kernels.filter { $0.flops > 0 && $0.bytes > 0 && $0.timeSeconds > 0 }.map { k in
            ChartRoofline.Point(
                name: k.name, group: k.kind.rawValue, intensity: k.flops / k.bytes, flops: k.flops / k.timeSeconds,
                weight: total > 0 ? k.timeSeconds / total : nil)
        }
        var roofs: [(name: String, peakFLOPs: Double)] = [("bf16 tensor", gpu.matrixPeakFLOPS(.bf16))]
        roofs.append(("fp32 vector", gpu.vectorPeakFLOPS))
        return ChartRoofline(
            title: "Kernels on the roofline · \(title)", memoryBandwidth: gpu.bandwidthBytesPerSecond, computeRoofs: roofs,
            points: points, memoryName: "DRAM")
    }

    /// Both charts in one SVG: the breakdown above the roofline.
    public var combinedSVG: String { Self.stack([breakdown.svg(), roofline.svg()]) }

    /// Stacks standalone SVG documents vertically in one document, each as a nested `<svg x= y=>`.
    public static func stack(_ documents: [String]) -> String {
        var parts: [(body: String, width: Double, height: Double)] = []
        for d in documents {
            var body = Substring(d)
            if body.hasPrefix("<?xml"), let nl = body.firstIndex(of: "\n") { body = body[body.index(after: nl)...] }
            parts.append((String(body), attribute("width", in: body) ?? 800, attribute("height", in: body) ?? 480))
        }
        let width = parts.map(\.width).max() ?? 0
        let height = parts.reduce(0) { $0 + $1.height }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(fmt(width))\" height=\"\(fmt(height))\""
        out += " viewBox=\"0 0 \(fmt(width)) \(fmt(height))\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" fill=\"#ffffff\"/>\n"
        var y = 0.0
        for (i, p) in parts.enumerated() {
            var body = p.body.replacingOccurrences(of: "id=\"", with: "id=\"c\(i)-").replacingOccurrences(of: "url(#", with: "url(#c\(i)-")
            if let r = body.range(of: "<svg ") {
                body.replaceSubrange(r, with: "<svg x=\"\(fmt((width - p.width) / 2))\" y=\"\(fmt(y))\" ")
            }
            // Element ids (clip paths, hatches) must stay unique across the nested documents.
            out += body
            y += p.height
        }
        out += "</svg>\n"
        return out
    }

    private static func fmt(_ v: Double) -> String { ChartNumberFormat.coordinate(v) }

    /// The value of the root element's numeric attribute `name`.
    private static func attribute(_ name: String, in doc: Substring) -> Double? {
        guard let svg = doc.range(of: "<svg ") else { return nil }
        let tagEnd = doc[svg.upperBound...].firstIndex(of: ">") ?? doc.endIndex
        let tag = doc[svg.upperBound..<tagEnd]
        guard let r = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[r.upperBound...]
        guard let q = rest.firstIndex(of: "\"") else { return nil }
        return Double(rest[..<q])
    }
}
