/// The rectangle where data is drawn, its two axes, and the shared drawing of title, grid, axes
/// and "no data" notes for the x/y charts.
///
/// ``layout(width:height:title:xLabel:yLabel:legendSize:fontSize:makeXAxis:makeYAxis:)`` picks
/// margins from the measured tick labels, axis labels, title and legend, so that nothing is
/// clipped and the legend sits to the right of the plot area without overlapping it.
public struct ChartPlotArea: Sendable {
    /// Left edge of the plot area, in pixels.
    public var x: Double
    /// Top edge of the plot area, in pixels.
    public var y: Double
    /// Plot area width, in pixels.
    public var width: Double
    /// Plot area height, in pixels.
    public var height: Double
    /// The horizontal axis.
    public var xAxis: ChartAxis
    /// The vertical axis.
    public var yAxis: ChartAxis
    /// Tick-label font size, in pixels (axis labels use one pixel more).
    public var fontSize: Double
    /// Width of the whole image, in pixels.
    public var canvasWidth: Double
    /// Height of the whole image, in pixels (may exceed the requested height to fit a tall legend).
    public var canvasHeight: Double

    /// Tick mark length, in pixels.
    public static let tickLength = 5.0
    /// Title font size, in pixels.
    public static let titleFontSize = 16.0

    /// Creates a plot area from explicit geometry.
    public init(
        x: Double, y: Double, width: Double, height: Double, xAxis: ChartAxis, yAxis: ChartAxis,
        fontSize: Double = 12, canvasWidth: Double, canvasHeight: Double
    ) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.fontSize = fontSize
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
    }

    /// The horizontal pixel position of data value `v`.
    public func px(_ v: Double) -> Double { x + width * xAxis.fraction(v) }
    /// The vertical pixel position of data value `v` (larger values are higher up).
    public func py(_ v: Double) -> Double { y + height * (1 - yAxis.fraction(v)) }

    /// The height of the band above the plot area that holds the title.
    public static func titleBand(_ title: String) -> Double { title.isEmpty ? 16 : 48 }

    /// Lays out a chart of the given size: the y axis is built for the available height
    /// (`makeYAxis` receives a target tick count), the left margin from its widest label, and the
    /// x axis for the remaining width, lowering the tick count until labels do not collide.
    /// The legend (of `legendSize`, zero for none) goes right of the plot area; the canvas grows
    /// taller when the legend needs it.
    public static func layout(
        width: Double, height: Double, title: String, xLabel: String, yLabel: String,
        legendSize: (width: Double, height: Double), fontSize: Double = 12,
        makeXAxis: (Int) -> ChartAxis, makeYAxis: (Int) -> ChartAxis
    ) -> ChartPlotArea {
        let top = titleBand(title)
        let bottom = tickLength + 4 + fontSize + (xLabel.isEmpty ? 10 : fontSize + 1 + 20)
        let canvasHeight = max(height, top + legendSize.height + 20 + bottom)
        let plotHeight = max(canvasHeight - top - bottom, 40)
        let yAxis = makeYAxis(min(max(Int(plotHeight / 55), 2), 10))
        let yLabelWidth = yAxis.tickLabels.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) }.max() ?? 0
        let left = 10 + (yLabel.isEmpty ? 0 : fontSize + 1 + 12) + yLabelWidth + tickLength + 5
        let legendBand = legendSize.width > 0 ? legendSize.width + 36 : 0
        var target = min(max(Int((width - left - max(legendBand, 24)) / 75), 2), 10)
        while true {
            let xAxis = makeXAxis(target)
            let labels = xAxis.tickLabels
            let lastHalf = (labels.last.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) } ?? 0) / 2
            let right = max(legendBand, lastHalf + 8, 24)
            let area = ChartPlotArea(
                x: left, y: top, width: max(width - left - right, 60), height: plotHeight,
                xAxis: xAxis, yAxis: yAxis, fontSize: fontSize,
                canvasWidth: width, canvasHeight: canvasHeight)
            if target <= 2 || !area.xLabelsCollide() { return area }
            target = min(target, xAxis.ticks.count) - 1
        }
    }

    /// True when neighboring x tick labels would overlap (with a 10-pixel gap).
    public func xLabelsCollide() -> Bool {
        let labels = xAxis.tickLabels
        guard labels.count > 1 else { return false }
        for i in 1..<labels.count {
            let d = abs(px(xAxis.ticks[i]) - px(xAxis.ticks[i - 1]))
            let need =
                (SVGDocument.estimatedTextWidth(labels[i], fontSize: fontSize)
                    + SVGDocument.estimatedTextWidth(labels[i - 1], fontSize: fontSize)) / 2 + 10
            if d < need { return true }
        }
        return false
    }

    /// Draws the chart title centered at the top of the canvas, shrinking (down to 11 px) and then
    /// shortening it with an ellipsis when it is wider than the canvas.
    public static func drawTitle(_ title: String, into doc: inout SVGDocument, canvasWidth: Double) {
        guard !title.isEmpty else { return }
        var size = titleFontSize
        let room = canvasWidth - 20
        while size > 11, SVGDocument.estimatedTextWidth(title, fontSize: size) > room { size -= 1 }
        let text = SVGDocument.truncated(title, fontSize: size, maxWidth: room)
        doc.text(text, x: canvasWidth / 2, y: 30, fontSize: size, anchor: .middle, bold: true, cssClass: "title")
    }

    /// Draws the major and minor gridlines of both axes.
    public func drawGrid(into doc: inout SVGDocument) {
        doc.beginGroup(cssClass: "grid")
        for v in xAxis.minorTicks where inside(xAxis, v) {
            doc.line(x1: px(v), y1: y, x2: px(v), y2: y + height, stroke: "#f0f0f0")
        }
        for v in yAxis.minorTicks where inside(yAxis, v) {
            doc.line(x1: x, y1: py(v), x2: x + width, y2: py(v), stroke: "#f0f0f0")
        }
        for v in xAxis.ticks { doc.line(x1: px(v), y1: y, x2: px(v), y2: y + height, stroke: "#dddddd") }
        for v in yAxis.ticks { doc.line(x1: x, y1: py(v), x2: x + width, y2: py(v), stroke: "#dddddd") }
        doc.endGroup()
    }

    /// Draws the plot frame, tick marks, tick labels and the two axis labels.
    public func drawAxes(into doc: inout SVGDocument, xLabel: String, yLabel: String) {
        doc.beginGroup(cssClass: "axes")
        doc.rect(
            x: x, y: y, width: width, height: height, fill: "none", stroke: "#666666", strokeWidth: 1,
            cssClass: "plot-frame")
        let bottom = y + height
        for (v, label) in zip(xAxis.ticks, xAxis.tickLabels) {
            doc.line(x1: px(v), y1: bottom, x2: px(v), y2: bottom + ChartPlotArea.tickLength, stroke: "#666666")
            doc.text(
                label, x: px(v), y: bottom + ChartPlotArea.tickLength + 3 + fontSize, fontSize: fontSize,
                anchor: .middle, fill: "#333333", cssClass: "tick-label")
        }
        for v in xAxis.minorTicks where inside(xAxis, v) {
            doc.line(x1: px(v), y1: bottom, x2: px(v), y2: bottom + 3, stroke: "#999999")
        }
        drawYTicks(into: &doc)
        if !xLabel.isEmpty {
            doc.text(
                SVGDocument.truncated(xLabel, fontSize: fontSize + 1, maxWidth: canvasWidth - 20),
                x: x + width / 2, y: bottom + ChartPlotArea.tickLength + 3 + fontSize + 10 + fontSize + 1,
                fontSize: fontSize + 1, anchor: .middle, cssClass: "axis-label")
        }
        if !yLabel.isEmpty { drawYLabel(yLabel, into: &doc) }
        doc.endGroup()
    }

    /// Draws the y tick marks and labels on the left edge (used alone by category charts).
    public func drawYTicks(into doc: inout SVGDocument) {
        for (v, label) in zip(yAxis.ticks, yAxis.tickLabels) {
            doc.line(x1: x - ChartPlotArea.tickLength, y1: py(v), x2: x, y2: py(v), stroke: "#666666")
            doc.text(
                label, x: x - ChartPlotArea.tickLength - 4, y: py(v) + fontSize * 0.36, fontSize: fontSize,
                anchor: .end, fill: "#333333", cssClass: "tick-label")
        }
        for v in yAxis.minorTicks where inside(yAxis, v) {
            doc.line(x1: x - 3, y1: py(v), x2: x, y2: py(v), stroke: "#999999")
        }
    }

    /// Draws the rotated y axis label, centered on the plot area's height, just left of the widest
    /// y tick label.
    public func drawYLabel(_ label: String, into doc: inout SVGDocument) {
        let widest = yAxis.tickLabels.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) }.max() ?? 0
        let lx = max(x - ChartPlotArea.tickLength - 4 - widest - 10, 10 + fontSize + 1)
        doc.text(
            SVGDocument.truncated(label, fontSize: fontSize + 1, maxWidth: height + y),
            x: lx, y: y + height / 2, fontSize: fontSize + 1, anchor: .middle, rotation: -90,
            cssClass: "axis-label")
    }

    /// Writes `message` (for example "No data") centered in the plot area.
    public func drawNote(_ message: String, into doc: inout SVGDocument) {
        doc.text(
            message, x: x + width / 2, y: y + height / 2, fontSize: fontSize + 4, anchor: .middle,
            fill: "#888888", cssClass: "no-data")
    }

    /// The x position of the legend's left edge.
    public var legendX: Double { x + width + 24 }

    private func inside(_ axis: ChartAxis, _ v: Double) -> Bool { v >= axis.lower && v <= axis.upper }
}
