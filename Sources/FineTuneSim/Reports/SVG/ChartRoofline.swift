import Foundation

/// A roofline chart of one GPU on log-log axes, written as a standalone SVG.
///
/// The x axis is arithmetic intensity (FLOP per byte) and the y axis achieved FLOP/s, with SI tick
/// labels on y (`"100 G"`, `"1 T"`). The memory roof (``memoryBandwidth`` × intensity) rises to the
/// highest compute roof; each compute roof is a horizontal line from its ridge point
/// (peak ÷ bandwidth) to the right edge, labeled with its name and peak (`"bf16 tensor 989 TFLOP/s"`).
/// Points are colored (and shaped) by group in first-appearance order, listed in the legend, and
/// sized by their optional weight (for example their share of step time; marker area grows with
/// it). Each point is one `<circle>`, `<polygon>` marker with `class="point"`.
///
/// Points with a NaN, infinite or non-positive coordinate are skipped, as are compute roofs with a
/// non-positive peak; a non-positive bandwidth drops the memory roof. With neither roofs nor
/// drawable points, ``svg()`` does not fail: it returns a chart with the title, an empty frame and
/// the note "No data" (`class="no-data"`).
public struct ChartRoofline: Sendable {
    /// A horizontal compute roof.
    public struct Roof: Sendable {
        /// The roof's name, for example `"bf16 tensor"` or `"fp32 vector"`.
        public var name: String
        /// Peak throughput in FLOP/s.
        public var peakFLOPs: Double
        /// Creates a compute roof.
        public init(name: String, peakFLOPs: Double) {
            self.name = name
            self.peakFLOPs = peakFLOPs
        }
    }

    /// One measured or simulated kernel (or kernel class).
    public struct Point: Sendable {
        /// The point's name, written next to it when ``ChartRoofline/labelPoints`` is set.
        public var name: String
        /// The group (kind) that sets the point's color and legend entry.
        public var group: String
        /// Arithmetic intensity in FLOP/byte.
        public var intensity: Double
        /// Achieved throughput in FLOP/s.
        public var flops: Double
        /// Optional non-negative weight, such as the share of step time; marker area is
        /// proportional to it (relative to the largest weight). `nil` gives a standard marker.
        public var weight: Double?
        /// Creates a point.
        public init(name: String, group: String, intensity: Double, flops: Double, weight: Double? = nil) {
            self.name = name
            self.group = group
            self.intensity = intensity
            self.flops = flops
            self.weight = weight
        }
    }

    /// Chart title, drawn bold at the top.
    public var title: String
    /// Memory bandwidth in bytes/s (the slope of the memory roof).
    public var memoryBandwidth: Double
    /// Name written on the memory roof before its bandwidth, for example `"HBM"`.
    public var memoryName: String
    /// The compute roofs.
    public var computeRoofs: [Roof]
    /// The points to plot.
    public var points: [Point]
    /// Label under the x axis.
    public var xLabel: String = "arithmetic intensity (FLOP/byte)"
    /// Label left of the y axis, rotated.
    public var yLabel: String = "achieved FLOP/s"
    /// Whether each point's name is written next to it.
    public var labelPoints: Bool = false
    /// Note under the legend explaining marker size, shown when any point has a weight
    /// (empty for none).
    public var weightNote: String = "marker area \u{221D} time share"
    /// Image width in pixels.
    public var width: Double = 820
    /// Requested image height in pixels (grows when a long legend needs more room).
    public var height: Double = 540

    /// Creates a roofline chart; `memoryBandwidth` is in bytes/s and roof peaks in FLOP/s.
    public init(
        title: String, memoryBandwidth: Double, computeRoofs: [(name: String, peakFLOPs: Double)],
        points: [Point], memoryName: String = "memory"
    ) {
        self.title = title
        self.memoryBandwidth = memoryBandwidth
        self.computeRoofs = computeRoofs.map { Roof(name: $0.name, peakFLOPs: $0.peakFLOPs) }
        self.points = points
        self.memoryName = memoryName
    }

    /// The group names in first-appearance order (the legend and color order).
    public var groups: [String] {
        var seen: [String] = []
        for p in points where !seen.contains(p.group) { seen.append(p.group) }
        return seen
    }

    /// The complete SVG document.
    public func svg() -> String {
        let fontSize = 12.0
        let bw = memoryBandwidth.isFinite && memoryBandwidth > 0 ? memoryBandwidth : 0
        let roofs = computeRoofs.filter { $0.peakFLOPs.isFinite && $0.peakFLOPs > 0 }
        let drawable = points.filter {
            $0.intensity.isFinite && $0.intensity > 0 && $0.flops.isFinite && $0.flops > 0
        }
        let groups = self.groups
        let weights = drawable.compactMap { $0.weight }.filter { $0.isFinite && $0 > 0 }
        let maxWeight = weights.max() ?? 0
        let legend = ChartLegend(
            entries: groups.enumerated().map { i, g in
                ChartLegend.Entry(label: g, swatch: .marker(ChartPalette.marker(i), color: ChartPalette.color(i)))
            }, note: maxWeight > 0 ? weightNote : "", maxLabelWidth: max(width * 0.25, 80))

        // Domain: all points, every ridge point with a decade either side, every roof.
        let peaks = roofs.map(\.peakFLOPs)
        let ridges = bw > 0 ? peaks.map { $0 / bw } : []
        var xs = drawable.map(\.intensity)
        if let lo = ridges.min(), let hi = ridges.max() { xs += [lo / 10, hi * 10] }
        if xs.isEmpty, bw > 0 { xs = [0.1, 1000] }
        let xLo = xs.min() ?? 1, xHi = xs.max() ?? 10
        var ys = drawable.map(\.flops) + peaks
        if bw > 0 {
            let top = peaks.max() ?? drawable.map(\.flops).max() ?? bw * xHi
            ys += [max(bw * xLo, top / 1e6), top]
        }
        // Headroom above the highest roof or point leaves room for its label.
        let yLo = ys.min() ?? 1, yHi = (ys.max() ?? 5) * 2
        let area = ChartPlotArea.layout(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, legendSize: legend.size,
            fontSize: fontSize,
            makeXAxis: { .logarithmic(dataMin: xLo, dataMax: xHi, maxTickCount: $0, labelStyle: .plain) },
            makeYAxis: { .logarithmic(dataMin: yLo, dataMax: yHi, maxTickCount: $0, labelStyle: .si) })

        var doc = SVGDocument(width: area.canvasWidth, height: area.canvasHeight, title: title)
        ChartPlotArea.drawTitle(title, into: &doc, canvasWidth: area.canvasWidth)
        if drawable.isEmpty && roofs.isEmpty && bw == 0 {
            doc.rect(
                x: area.x, y: area.y, width: area.width, height: area.height, fill: "none",
                stroke: "#666666", strokeWidth: 1, cssClass: "plot-frame")
            area.drawNote("No data", into: &doc)
            return doc.render()
        }
        area.drawGrid(into: &doc)
        area.drawAxes(into: &doc, xLabel: xLabel, yLabel: yLabel)

        // Markers: largest first so that small ones stay visible on top.
        let sized: [(index: Int, point: Point, x: Double, y: Double, r: Double)] = drawable.enumerated().map { i, p in
            var r = 4.5
            if maxWeight > 0 {
                let w = (p.weight.map { $0.isFinite && $0 > 0 ? $0 : 0 }) ?? 0
                r = 2.5 + 11 * (w / maxWeight).squareRoot()
            }
            return (i, p, area.px(p.intensity), area.py(p.flops), r)
        }
        let order = sized.sorted { $0.r != $1.r ? $0.r > $1.r : $0.index < $1.index }
        var placer = ChartLabelPlacer(
            bounds: .init(
                x0: area.x + 2, y0: area.y + 2,
                x1: area.x + area.width - 2, y1: area.y + area.height - 2))
        for item in sized { placer.addCircle(x: item.x, y: item.y, r: item.r) }

        let roofLabels = drawRoofs(
            into: &doc, area: area, bandwidth: bw, roofs: roofs, fontSize: fontSize,
            placer: &placer)

        doc.beginGroup(cssClass: "data")
        for item in order {
            let g = groups.firstIndex(of: item.point.group) ?? 0
            ChartPalette.marker(g).draw(
                into: &doc, x: item.x, y: item.y, r: item.r, fill: ChartPalette.color(g),
                stroke: "#333333", opacity: 0.8, cssClass: "point")
        }
        for label in roofLabels {
            doc.text(
                label.text, x: label.x, y: label.y, fontSize: fontSize, anchor: label.anchor,
                fill: ChartRoofline.roofColor, rotation: label.rotation, halo: true, cssClass: "roof-label")
        }
        if labelPoints {
            let size = 10.0
            for item in order {
                let name = item.point.name
                let candidates: [(x: Double, y: Double, anchor: SVGDocument.TextAnchor)] = [
                    (item.x + item.r + 3, item.y + 3.5, .start),
                    (item.x - item.r - 3, item.y + 3.5, .end),
                    (item.x, item.y - item.r - 3, .middle),
                    (item.x, item.y + item.r + size + 1, .middle),
                    (item.x + item.r + 1, item.y - item.r - 1, .start),
                    (item.x + item.r + 1, item.y + item.r + size - 1, .start),
                ]
                let boxes = candidates.map {
                    [ChartLabelPlacer.Box.text(name, x: $0.x, y: $0.y, fontSize: size, anchor: $0.anchor)]
                }
                let pick = placer.choose(boxes, minimumClearance: 1) ?? 0
                placer.addBoxes(boxes[pick])
                let c = candidates[pick]
                doc.text(
                    name, x: c.x, y: c.y, fontSize: size, anchor: c.anchor, fill: "#333333",
                    halo: true, cssClass: "point-label")
            }
        }
        doc.endGroup()
        legend.draw(into: &doc, x: area.legendX, y: area.y)
        return doc.render()
    }

    private static let roofColor = "#333333"
    private static let roofDashes: [String?] = [nil, "9,4", "3,3", "12,3,3,3"]

    private typealias RoofLabel = (
        text: String, x: Double, y: Double, anchor: SVGDocument.TextAnchor,
        rotation: Double?
    )

    /// Draws the roof lines and places their labels clear of the markers already in `placer`;
    /// returns the labels, which the caller draws above the markers.
    private func drawRoofs(
        into doc: inout SVGDocument, area: ChartPlotArea, bandwidth bw: Double,
        roofs: [Roof], fontSize: Double, placer: inout ChartLabelPlacer
    ) -> [RoofLabel] {
        let xLo = area.xAxis.lower, xHi = area.xAxis.upper
        let yLo = area.yAxis.lower, yHi = area.yAxis.upper
        doc.beginGroup(cssClass: "roofs")
        let topPeak = roofs.map(\.peakFLOPs).max()
        // Ridge markers: a dotted vertical at each ridge point.
        if bw > 0 {
            for roof in roofs {
                let rx = area.px(roof.peakFLOPs / bw)
                doc.line(
                    x1: rx, y1: area.py(roof.peakFLOPs), x2: rx, y2: area.y + area.height, stroke: "#aaaaaa",
                    strokeWidth: 1, dash: "2,3")
            }
        }
        var labels: [RoofLabel] = []
        let sortedRoofs = roofs.enumerated().sorted {
            $0.element.peakFLOPs != $1.element.peakFLOPs
                ? $0.element.peakFLOPs > $1.element.peakFLOPs
                : $0.offset < $1.offset
        }
        // Every roof line is an obstacle for every label.
        let endX = area.x + area.width
        func roofStart(_ roof: Roof) -> Double { area.px(bw > 0 ? max(xLo, roof.peakFLOPs / bw) : xLo) }
        for roof in roofs {
            let y = area.py(roof.peakFLOPs)
            placer.addSegment(x0: roofStart(roof), y0: y, x1: endX, y1: y)
        }
        // Memory roof: from where it enters the plot to the highest ridge (or the plot edge), labeled
        // along its slope on the upper-left side, where no achievable point can lie.
        if bw > 0 {
            let endY = min(topPeak ?? yHi, yHi)
            let x0 = max(xLo, yLo / bw), x1 = min(xHi, endY / bw)
            if x1 > x0 {
                let a = (x: area.px(x0), y: area.py(bw * x0)), b = (x: area.px(x1), y: area.py(bw * x1))
                doc.polyline([a, b], stroke: ChartRoofline.roofColor, strokeWidth: 2.5, cssClass: "roof-memory")
                let text = memoryName + " " + ChartNumberFormat.si(bw, significant: 3, unit: "B/s")
                let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                let w = SVGDocument.estimatedTextWidth(text, fontSize: fontSize)
                let angle = atan2(b.y - a.y, b.x - a.x)
                let (c, s) = (cos(angle), sin(angle))
                // Unit normal pointing above the line.
                let n = (x: s, y: -c)
                var centers: [Double] = []
                if length > w + 20 {
                    var along = w / 2 + 12
                    while along <= length - w / 2 - 8 { centers.append(along); along += 12 }
                } else {
                    centers = [length / 2]
                }
                let baselineOffset = 6.0
                let candidates: [[ChartLabelPlacer.Box]] = centers.map { along in
                    let bodyOffset = baselineOffset + fontSize * 0.35
                    var boxes: [ChartLabelPlacer.Box] = []
                    var t = -w / 2
                    while t <= w / 2 {
                        let px: Double = a.x + c * (along + t) + n.x * bodyOffset
                        let py: Double = a.y + s * (along + t) + n.y * bodyOffset
                        let h = fontSize * 0.4
                        boxes.append(.init(x0: px - h, y0: py - h, x1: px + h, y1: py + h))
                        t += 6
                    }
                    return boxes
                }
                let pick = placer.choose(candidates, minimumClearance: 3) ?? 0
                placer.addSegment(x0: a.x, y0: a.y, x1: b.x, y1: b.y)
                placer.addBoxes(candidates[pick])
                let along = centers[pick]
                let tx: Double = a.x + c * along + n.x * baselineOffset
                let ty: Double = a.y + s * along + n.y * baselineOffset
                labels.append((text, tx, ty, .middle, angle * 180 / .pi))
            }
        }
        // Compute roofs, each labeled where the label is clear of markers, lines and other labels.
        for (rank, item) in sortedRoofs.enumerated() {
            let roof = item.element
            let y = area.py(roof.peakFLOPs)
            let startX = roofStart(roof)
            let dash = ChartRoofline.roofDashes[rank % ChartRoofline.roofDashes.count]
            doc.polyline(
                [(startX, y), (endX, y)], stroke: ChartRoofline.roofColor,
                strokeWidth: rank == 0 ? 2.5 : 2, dash: dash, cssClass: "roof-compute")
            let text = roof.name + " " + ChartNumberFormat.si(roof.peakFLOPs, significant: 3, unit: "FLOP/s")
            let w = SVGDocument.estimatedTextWidth(text, fontSize: fontSize)
            var rightEdges: [Double] = []
            var edge = endX - 6
            while edge - w >= startX + 4 || rightEdges.isEmpty {
                rightEdges.append(edge)
                edge -= 20
            }
            // Above the line sliding left from the right end; then left of the ridge point, which lies
            // above the memory roof where no achievable point can be; then below the line.
            var candidates: [(x: Double, y: Double)] = rightEdges.map { ($0, y - 6) }
            if bw > 0 { candidates.append((startX - 6, y - 4)) }
            candidates += rightEdges.map { ($0, y + fontSize + 4) }
            let boxes = candidates.map {
                [ChartLabelPlacer.Box.text(text, x: $0.x, y: $0.y, fontSize: fontSize, anchor: .end)]
            }
            let pick = placer.choose(boxes, minimumClearance: 2) ?? 0
            placer.addBoxes(boxes[pick])
            labels.append((text, candidates[pick].x, candidates[pick].y, .end, nil))
        }
        doc.endGroup()
        return labels
    }
}
