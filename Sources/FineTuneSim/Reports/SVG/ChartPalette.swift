/// The fixed, colorblind-safe styles that charts give their series, in order.
///
/// Colors are the Okabe–Ito set (with its yellow, which reads poorly on white, replaced by a
/// neutral gray). After every full cycle of colors the dash pattern changes, and marker shapes
/// cycle independently, so that many series stay distinguishable.
public enum ChartPalette {
    /// Series colors, in the order they are handed out.
    public static let colors: [String] = [
        "#0072B2",  // blue
        "#E69F00",  // orange
        "#009E73",  // bluish green
        "#D55E00",  // vermillion
        "#CC79A7",  // reddish purple
        "#56B4E9",  // sky blue
        "#000000",  // black
        "#999999",  // gray
    ]

    /// Stroke dash patterns, one per full cycle of ``colors`` (`nil` is a solid line).
    public static let dashes: [String?] = [nil, "8,4", "2,3", "10,3,2,3"]

    /// The color of series number `index` (0-based), cycling through ``colors``.
    public static func color(_ index: Int) -> String {
        colors[positiveModulo(index, colors.count)]
    }

    /// The dash pattern of series number `index`: solid for the first cycle of colors, then dashed.
    public static func dash(_ index: Int) -> String? {
        dashes[positiveModulo(max(index, 0) / colors.count, dashes.count)]
    }

    /// The marker shape of series number `index`, cycling through ``ChartMarker/allCases``.
    public static func marker(_ index: Int) -> ChartMarker {
        // Shifted once per trip around the colours, so the first 32 groups differ in colour or shape.
        ChartMarker.allCases[positiveModulo(index + max(index, 0) / colors.count, ChartMarker.allCases.count)]
    }

    /// Hatch angles (degrees) for filled areas, one per full cycle of ``colors``; `nil` is a plain
    /// fill. Used by ``areaFill(_:in:)``.
    public static let hatchAngles: [Double?] = [nil, 45, -45, 0]

    /// The fill of filled area number `index` (bars, boxes): a plain color for the first cycle of
    /// ``colors``, then the color crossed by white hatching, whose pattern is defined in `doc`.
    public static func areaFill(_ index: Int, in doc: inout SVGDocument) -> String {
        let color = self.color(index)
        let cycle = positiveModulo(max(index, 0) / colors.count, hatchAngles.count)
        guard let angle = hatchAngles[cycle] else { return color }
        let id = "hatch-\(cycle)-" + String(color.dropFirst())
        doc.defineHatch(id: id, background: color, angle: angle)
        return "url(#\(id))"
    }

    private static func positiveModulo(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }
}
