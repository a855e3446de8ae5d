/// A line chart of one or more named series, written as a standalone SVG.
///
/// Each series becomes one `<polyline class="series">` plus one marker per point, styled from
/// ``ChartPalette`` (color, then dash pattern after a full color cycle, and marker shape). Axes get
/// nice 1-2-5 ticks (or decade ticks when logarithmic), gridlines, tick labels and axis labels; the
/// legend lists every series right of the plot area.
///
/// Points with a NaN or infinite coordinate, and on a logarithmic axis points with a coordinate
/// `<= 0`, are skipped (the line joins the remaining points in their given order). A series left
/// with no points keeps its legend entry but draws no polyline. When no series has a drawable
/// point, including when `series` is empty, ``svg()`` does not fail: it returns a chart with the
/// title, an empty frame and the note "No data" (`class="no-data"`).
public struct ChartLinePlot: Sendable {
    /// One named series of points.
    public struct Series: Sendable {
        /// The name shown in the legend.
        public var name: String
        /// The points, in drawing order.
        public var points: [(x: Double, y: Double)]
        /// Creates a series.
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// Chart title, drawn bold at the top.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// Label left of the y axis, rotated.
    public var yLabel: String
    /// The series, in legend and palette order.
    public var series: [Series]
    /// Whether the x axis is logarithmic.
    public var logX: Bool
    /// Whether the y axis is logarithmic.
    public var logY: Bool
    /// How x tick labels are written.
    public var xLabelStyle: ChartAxis.LabelStyle = .plain
    /// How y tick labels are written.
    public var yLabelStyle: ChartAxis.LabelStyle = .plain
    /// Whether a marker is drawn at each point.
    public var showMarkers: Bool = true
    /// Image width in pixels.
    public var width: Double = 800
    /// Requested image height in pixels (grows when a long legend needs more room).
    public var height: Double = 480

    /// Creates a line chart from series given as `(name, points)` tuples.
    public init(
        title: String, xLabel: String, yLabel: String,
        series: [(name: String, points: [(x: Double, y: Double)])],
        logX: Bool = false, logY: Bool = false
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series.map { Series(name: $0.name, points: $0.points) }
        self.logX = logX
        self.logY = logY
    }

    /// The complete SVG document.
    public func svg() -> String {
        let xScale: ChartAxis.Scale = logX ? .logarithmic : .linear
        let yScale: ChartAxis.Scale = logY ? .logarithmic : .linear
        let probeX = ChartAxis(scale: xScale, lower: 0, upper: 1, ticks: [])
        let probeY = ChartAxis(scale: yScale, lower: 0, upper: 1, ticks: [])
        let drawable = series.map { s in s.points.filter { probeX.accepts($0.x) && probeY.accepts($0.y) } }
        let all = drawable.flatMap { $0 }

        let legend = ChartLegend(
            entries: series.enumerated().map { i, s in
                ChartLegend.Entry(
                    label: s.name,
                    swatch: .line(
                        color: ChartPalette.color(i), dash: ChartPalette.dash(i),
                        marker: showMarkers ? ChartPalette.marker(i) : nil))
            }, maxLabelWidth: max(width * 0.3, 80))
        let legendSize = legend.size

        let xs = all.map(\.x), ys = all.map(\.y)
        let (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        let (yMin, yMax) = (ys.min() ?? 0, ys.max() ?? 1)
        let area = ChartPlotArea.layout(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, legendSize: legendSize,
            makeXAxis: { n in
                logX
                    ? .logarithmic(dataMin: xMin, dataMax: xMax, maxTickCount: n, labelStyle: xLabelStyle)
                    : .linear(dataMin: xMin, dataMax: xMax, targetTickCount: n, labelStyle: xLabelStyle)
            },
            makeYAxis: { n in
                logY
                    ? .logarithmic(dataMin: yMin, dataMax: yMax, maxTickCount: n, labelStyle: yLabelStyle)
                    : .linear(dataMin: yMin, dataMax: yMax, targetTickCount: n, labelStyle: yLabelStyle)
            })

        var doc = SVGDocument(width: area.canvasWidth, height: area.canvasHeight, title: title)
        ChartPlotArea.drawTitle(title, into: &doc, canvasWidth: area.canvasWidth)
        if all.isEmpty {
            var bare = area
            bare.xAxis.ticks = []
            bare.yAxis.ticks = []
            bare.xAxis.minorTicks = []
            bare.yAxis.minorTicks = []
            bare.drawAxes(into: &doc, xLabel: xLabel, yLabel: yLabel)
            area.drawNote("No data", into: &doc)
        } else {
            area.drawGrid(into: &doc)
            area.drawAxes(into: &doc, xLabel: xLabel, yLabel: yLabel)
            doc.beginGroup(cssClass: "data")
            for (i, points) in drawable.enumerated() where !points.isEmpty {
                let color = ChartPalette.color(i)
                let pixels = points.map { (x: area.px($0.x), y: area.py($0.y)) }
                doc.polyline(pixels, stroke: color, strokeWidth: 2, dash: ChartPalette.dash(i), cssClass: "series")
                if showMarkers {
                    let r = points.count > 60 ? 2.5 : 3.5
                    for p in pixels {
                        ChartPalette.marker(i).draw(into: &doc, x: p.x, y: p.y, r: r, fill: color)
                    }
                }
            }
            doc.endGroup()
        }
        legend.draw(into: &doc, x: area.legendX, y: area.y)
        return doc.render()
    }
}
