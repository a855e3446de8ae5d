import Foundation

/// A vertical stacked-bar chart: one bar per category (for example the phases forward, backward
/// and optimizer), each stacked from segments (for example layer types attention, moe, mamba,
/// norm, other), written as a standalone SVG.
///
/// The first segment sits at the bottom of every bar; the legend lists segments top to bottom in
/// the order they appear on the bars. Segments beyond the eight palette colors reuse them with white
/// hatching (defined as `<pattern>` elements). Each drawn piece is a `<rect class="bar-segment">`; with
/// ``showTotals`` the bar total is written above each bar (`class="bar-total"`) with an SI prefix
/// and ``unit`` (for example `"12.3 ms"`). Category labels are rotated when they do not fit under
/// their bars.
///
/// Values that are NaN, infinite or negative count as zero; a segment with fewer values than
/// there are categories is zero for the rest. When there are no categories or no segments,
/// ``svg()`` does not fail: it returns a chart with the title, an empty frame and the note
/// "No data" (`class="no-data"`).
public struct ChartStackedBars: Sendable {
    /// One stack segment: a name and one value per category, in category order.
    public struct Segment: Sendable {
        /// The name shown in the legend.
        public var name: String
        /// The value for each category (seconds, unless ``ChartStackedBars/unit`` says otherwise).
        public var values: [Double]
        /// Creates a segment.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// Chart title, drawn bold at the top.
    public var title: String
    /// Label left of the y axis, rotated.
    public var yLabel: String
    /// Optional label under the category labels (empty for none).
    public var xLabel: String = ""
    /// The category (bar) names, left to right.
    public var categories: [String]
    /// The segments, bottom to top.
    public var segments: [Segment]
    /// Whether each bar's total is written above it.
    public var showTotals: Bool
    /// The unit of the values, appended to the totals after an SI prefix (`"s"` gives `"12.3 ms"`);
    /// empty for plain numbers.
    public var unit: String = "s"
    /// Image width in pixels.
    public var width: Double = 760
    /// Requested image height in pixels (grows when a long legend needs more room).
    public var height: Double = 480

    /// Creates a stacked-bar chart from segments given as `(name, values)` tuples, one value per
    /// category.
    public init(
        title: String, yLabel: String = "time (s)", categories: [String],
        segments: [(name: String, values: [Double])], showTotals: Bool = true
    ) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.segments = segments.map { Segment(name: $0.name, values: $0.values) }
        self.showTotals = showTotals
    }

    /// The value of segment `s` in category `c` as drawn: zero when missing, negative or not finite.
    public func value(segment s: Int, category c: Int) -> Double {
        guard segments.indices.contains(s), segments[s].values.indices.contains(c) else { return 0 }
        let v = segments[s].values[c]
        return v.isFinite && v > 0 ? v : 0
    }

    /// The drawn height of each bar: the sum of its segments' values as drawn.
    public var totals: [Double] {
        categories.indices.map { c in segments.indices.reduce(0) { $0 + value(segment: $1, category: c) } }
    }

    /// The complete SVG document.
    public func svg() -> String {
        let fontSize = 12.0
        let legend = ChartLegend(
            entries: segments.enumerated().reversed().map { i, s in
                ChartLegend.Entry(label: s.name, swatch: .area(index: i))
            }, maxLabelWidth: max(width * 0.25, 80))
        let legendSize = legend.size
        let totals = self.totals
        let maxTotal = totals.max() ?? 0
        let hasData = !categories.isEmpty && !segments.isEmpty

        let top = ChartPlotArea.titleBand(title)
        let legendBand = legendSize.width > 0 ? legendSize.width + 36 : 24
        let maxCategoryWidth = 160.0
        let labels = categories.map { SVGDocument.truncated($0, fontSize: fontSize, maxWidth: maxCategoryWidth) }
        let labelWidths = labels.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) }
        let widest = labelWidths.max() ?? 0
        let angle = 35.0

        var left = 80.0
        var area = ChartPlotArea(
            x: 0, y: 0, width: 0, height: 0,
            xAxis: ChartAxis(scale: .linear, lower: 0, upper: 1, ticks: []),
            yAxis: ChartAxis(scale: .linear, lower: 0, upper: 1, ticks: []),
            fontSize: fontSize, canvasWidth: width, canvasHeight: height)
        var rotate = false
        for _ in 0..<2 {
            let plotWidth = max(width - left - legendBand, 60)
            let slot = plotWidth / Double(max(categories.count, 1))
            rotate = widest > slot - 6
            let labelBand =
                rotate
                ? widest * sin(angle * .pi / 180) + fontSize * cos(angle * .pi / 180) + 6
                : fontSize + 4
            let bottom = 6 + labelBand + (xLabel.isEmpty ? 12 : fontSize + 1 + 18)
            let canvasHeight = max(height, top + legendSize.height + 20 + bottom)
            let plotHeight = max(canvasHeight - top - bottom, 40)
            let target = min(max(Int(plotHeight / 55), 2), 10)
            let yAxis = ChartAxis.linear(
                dataMin: 0, dataMax: maxTotal > 0 ? maxTotal * (showTotals ? 1.07 : 1) : 1,
                targetTickCount: target, includeZero: true)
            let yLabelWidth = yAxis.tickLabels.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) }.max() ?? 0
            left = 10 + (yLabel.isEmpty ? 0 : fontSize + 1 + 12) + yLabelWidth + ChartPlotArea.tickLength + 5
            // A rotated first label hangs left of its bar; keep it on the canvas.
            if rotate, let first = labelWidths.first {
                left = max(left, first * cos(angle * .pi / 180) - slot / 2 + 8)
            }
            area = ChartPlotArea(
                x: left, y: top, width: max(width - left - legendBand, 60), height: plotHeight,
                xAxis: ChartAxis(scale: .linear, lower: 0, upper: 1, ticks: []), yAxis: yAxis,
                fontSize: fontSize, canvasWidth: width, canvasHeight: canvasHeight)
        }

        var doc = SVGDocument(width: area.canvasWidth, height: area.canvasHeight, title: title)
        ChartPlotArea.drawTitle(title, into: &doc, canvasWidth: area.canvasWidth)
        guard hasData else {
            doc.rect(
                x: area.x, y: area.y, width: area.width, height: area.height, fill: "none",
                stroke: "#666666", strokeWidth: 1, cssClass: "plot-frame")
            area.drawNote("No data", into: &doc)
            if !yLabel.isEmpty { area.drawYLabel(yLabel, into: &doc) }
            legend.draw(into: &doc, x: area.legendX, y: area.y)
            return doc.render()
        }

        // Horizontal gridlines, y axis and baseline.
        doc.beginGroup(cssClass: "grid")
        for v in area.yAxis.ticks {
            doc.line(x1: area.x, y1: area.py(v), x2: area.x + area.width, y2: area.py(v), stroke: "#dddddd")
        }
        doc.endGroup()
        doc.beginGroup(cssClass: "axes")
        doc.line(x1: area.x, y1: area.y, x2: area.x, y2: area.y + area.height, stroke: "#666666")
        doc.line(
            x1: area.x, y1: area.y + area.height, x2: area.x + area.width, y2: area.y + area.height,
            stroke: "#666666")
        area.drawYTicks(into: &doc)
        if !yLabel.isEmpty { area.drawYLabel(yLabel, into: &doc) }
        doc.endGroup()

        let slot = area.width / Double(categories.count)
        let barWidth = min(slot * 0.62, 110)
        let baseline = area.y + area.height
        doc.beginGroup(cssClass: "data")
        for (c, label) in labels.enumerated() {
            let center = area.x + slot * (Double(c) + 0.5)
            var level = 0.0
            for s in segments.indices {
                let v = value(segment: s, category: c)
                guard v > 0 else { continue }
                let y0 = area.py(level), y1 = area.py(level + v)
                let fill = ChartPalette.areaFill(s, in: &doc)
                doc.rect(
                    x: center - barWidth / 2, y: y1, width: barWidth, height: y0 - y1,
                    fill: fill, stroke: "#ffffff", strokeWidth: 0.6, cssClass: "bar-segment")
                level += v
            }
            if showTotals {
                let text =
                    unit.isEmpty
                    ? ChartNumberFormat.significant(totals[c], digits: 3)
                    : ChartNumberFormat.si(totals[c], significant: 3, unit: unit)
                var size = 11.0
                while size > 8, SVGDocument.estimatedTextWidth(text, fontSize: size) > slot - 4 { size -= 1 }
                doc.text(
                    text, x: center, y: area.py(totals[c]) - 5, fontSize: size, anchor: .middle,
                    fill: "#333333", cssClass: "bar-total")
            }
            if rotate {
                doc.text(
                    label, x: center + 4, y: baseline + 6 + fontSize * 0.8, fontSize: fontSize, anchor: .end,
                    fill: "#333333", rotation: -angle, cssClass: "category-label")
            } else {
                doc.text(
                    label, x: center, y: baseline + 6 + fontSize, fontSize: fontSize, anchor: .middle,
                    fill: "#333333", cssClass: "category-label")
            }
        }
        doc.endGroup()
        if !xLabel.isEmpty {
            doc.text(
                SVGDocument.truncated(xLabel, fontSize: fontSize + 1, maxWidth: width - 20),
                x: area.x + area.width / 2, y: area.canvasHeight - 12, fontSize: fontSize + 1,
                anchor: .middle, cssClass: "axis-label")
        }
        legend.draw(into: &doc, x: area.legendX, y: area.y)
        return doc.render()
    }
}
