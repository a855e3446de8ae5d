/// A one-column legend: a swatch and a label per entry, measured before it is drawn so that
/// charts can reserve room for it outside their plot area.
public struct ChartLegend: Sendable {
    /// What an entry's swatch looks like.
    public enum Swatch: Sendable {
        /// A short line segment in a color and dash pattern, with an optional marker on it.
        case line(color: String, dash: String?, marker: ChartMarker?)
        /// A filled square; `color` is any fill, a color or a pattern reference such as
        /// `url(#hatch-1-0072B2)` that the drawing document defines.
        case box(color: String)
        /// A filled square for area number `index`, filled as ``ChartPalette/areaFill(_:in:)`` does.
        case area(index: Int)
        /// A lone marker.
        case marker(ChartMarker, color: String)
    }

    /// One legend row.
    public struct Entry: Sendable {
        /// The label text (escaped when drawn; shortened with an ellipsis when too wide).
        public var label: String
        /// The swatch drawn left of the label.
        public var swatch: Swatch
        /// Creates an entry.
        public init(label: String, swatch: Swatch) {
            self.label = label
            self.swatch = swatch
        }
    }

    /// The rows, top to bottom.
    public var entries: [Entry]
    /// An optional note written in gray below the entries (for example what marker size means).
    public var note: String
    /// Label font size in pixels.
    public var fontSize: Double
    /// The widest a label may be before it is shortened with an ellipsis.
    public var maxLabelWidth: Double

    /// Swatch width in pixels.
    public static let swatchWidth = 26.0
    /// Gap between swatch and label, in pixels.
    public static let gap = 6.0
    /// Padding inside the legend box, in pixels.
    public static let padding = 8.0

    /// Creates a legend.
    public init(entries: [Entry], note: String = "", fontSize: Double = 12, maxLabelWidth: Double = 220) {
        self.entries = entries
        self.note = note
        self.fontSize = fontSize
        self.maxLabelWidth = maxLabelWidth
    }

    /// The height of one row in pixels.
    public var rowHeight: Double { (fontSize * 1.55).rounded() }

    /// The labels as drawn (shortened to ``maxLabelWidth``).
    public var displayedLabels: [String] {
        entries.map { SVGDocument.truncated($0.label, fontSize: fontSize, maxWidth: maxLabelWidth) }
    }

    private var displayedNote: String {
        SVGDocument.truncated(note, fontSize: fontSize - 1, maxWidth: maxLabelWidth + ChartLegend.swatchWidth + ChartLegend.gap)
    }

    /// The legend box size in pixels (zero when there are no entries and no note).
    public var size: (width: Double, height: Double) {
        if entries.isEmpty && note.isEmpty { return (0, 0) }
        let labelWidth = displayedLabels.map { SVGDocument.estimatedTextWidth($0, fontSize: fontSize) }.max() ?? 0
        var w = ChartLegend.swatchWidth + ChartLegend.gap + labelWidth
        var h = Double(entries.count) * rowHeight
        if !note.isEmpty {
            w = max(w, SVGDocument.estimatedTextWidth(displayedNote, fontSize: fontSize - 1))
            h += rowHeight
        }
        return ((w + 2 * ChartLegend.padding).rounded(.up), (h + 2 * ChartLegend.padding - 4).rounded(.up))
    }

    /// Draws the legend with its top-left corner at (`x`, `y`): a light framed box, then the rows.
    public func draw(into doc: inout SVGDocument, x: Double, y: Double) {
        let box = size
        guard box.width > 0 else { return }
        doc.beginGroup(cssClass: "legend")
        doc.rect(
            x: x, y: y, width: box.width, height: box.height, fill: "#ffffff", stroke: "#cccccc", strokeWidth: 1,
            cssClass: "legend-box")
        let labels = displayedLabels
        for (i, entry) in entries.enumerated() {
            let top = y + ChartLegend.padding + Double(i) * rowHeight
            let midY = top + rowHeight / 2 - 2
            let sx = x + ChartLegend.padding
            switch entry.swatch {
            case let .line(color, dash, marker):
                doc.line(
                    x1: sx, y1: midY, x2: sx + ChartLegend.swatchWidth, y2: midY, stroke: color,
                    strokeWidth: 2, dash: dash)
                marker?.draw(
                    into: &doc, x: sx + ChartLegend.swatchWidth / 2, y: midY, r: 3.5, fill: color,
                    cssClass: nil)
            case let .box(color):
                doc.rect(
                    x: sx + 6, y: midY - 6, width: 12, height: 12, fill: color, stroke: "#333333",
                    strokeWidth: 0.5)
            case let .area(index):
                let fill = ChartPalette.areaFill(index, in: &doc)
                doc.rect(
                    x: sx + 6, y: midY - 6, width: 12, height: 12, fill: fill, stroke: "#333333",
                    strokeWidth: 0.5)
            case let .marker(shape, color):
                shape.draw(
                    into: &doc, x: sx + ChartLegend.swatchWidth / 2, y: midY, r: 5, fill: color,
                    stroke: "#333333", cssClass: nil)
            }
            doc.text(
                labels[i], x: sx + ChartLegend.swatchWidth + ChartLegend.gap, y: midY + fontSize * 0.36,
                fontSize: fontSize, cssClass: "legend-label")
        }
        if !note.isEmpty {
            let top = y + ChartLegend.padding + Double(entries.count) * rowHeight
            doc.text(
                displayedNote, x: x + ChartLegend.padding, y: top + rowHeight / 2 - 2 + fontSize * 0.36,
                fontSize: fontSize - 1, fill: "#555555", cssClass: "legend-note")
        }
        doc.endGroup()
    }
}
