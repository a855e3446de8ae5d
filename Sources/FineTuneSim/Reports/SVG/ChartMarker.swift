/// A point-marker shape; each draws centered on a point with a given radius.
public enum ChartMarker: String, Sendable, CaseIterable {
    /// A filled circle.
    case circle
    /// A filled square.
    case square
    /// A filled upward triangle.
    case triangle
    /// A filled diamond.
    case diamond

    /// Draws the marker centered at (`x`, `y`) with radius `r` (the circle's radius; other shapes
    /// are scaled to a similar visual size), with a thin outline when `stroke` is given.
    public func draw(
        into doc: inout SVGDocument, x: Double, y: Double, r: Double, fill: String,
        stroke: String? = "#ffffff", opacity: Double? = nil, cssClass: String? = "marker"
    ) {
        switch self {
        case .circle:
            doc.circle(
                cx: x, cy: y, r: r, fill: fill, stroke: stroke, strokeWidth: 0.8,
                opacity: opacity, cssClass: cssClass)
        case .square:
            let h = r * 0.9
            doc.polygon(
                [(x - h, y - h), (x + h, y - h), (x + h, y + h), (x - h, y + h)],
                fill: fill, stroke: stroke, strokeWidth: 0.8, opacity: opacity, cssClass: cssClass)
        case .triangle:
            let h = r * 1.2
            doc.polygon(
                [(x, y - h), (x + h * 0.95, y + h * 0.7), (x - h * 0.95, y + h * 0.7)],
                fill: fill, stroke: stroke, strokeWidth: 0.8, opacity: opacity, cssClass: cssClass)
        case .diamond:
            let h = r * 1.25
            doc.polygon(
                [(x, y - h), (x + h, y), (x, y + h), (x - h, y)],
                fill: fill, stroke: stroke, strokeWidth: 0.8, opacity: opacity, cssClass: cssClass)
        }
    }
}
