/// A minimal SVG writer: collects elements and renders one standalone SVG 1.1 document.
///
/// All numbers go through ``ChartNumberFormat/coordinate(_:)`` and all text through
/// ``escape(_:)``, so the output is deterministic byte for byte and always well-formed XML.
public struct SVGDocument: Sendable, Equatable {
    /// How a text element is aligned on its x coordinate.
    public enum TextAnchor: String, Sendable {
        /// The text starts at x.
        case start
        /// The text is centered on x.
        case middle
        /// The text ends at x.
        case end
    }

    /// The font stack used for all text (DejaVu Sans first, which is what rsvg uses on Linux).
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    /// Image width in pixels.
    public var width: Double
    /// Image height in pixels.
    public var height: Double
    /// Text of the document's `<title>` element (empty for none).
    public var title: String
    /// Background fill drawn as a full-size rectangle, or `nil` for a transparent image.
    public var background: String?
    /// The rendered body elements, one per line, in drawing order.
    public private(set) var elements: [String] = []
    /// Clip-path definitions (`<clipPath>` elements) written into `<defs>`.
    public private(set) var definitions: [String] = []
    private var depth = 1

    /// Creates an empty document of the given size, white by default.
    public init(width: Double, height: Double, title: String = "", background: String? = "#ffffff") {
        self.width = width
        self.height = height
        self.title = title
        self.background = background
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attribute values, and replaces control
    /// characters that XML 1.0 forbids (all below U+0020 except tab, newline and carriage return)
    /// with U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// An estimate of the rendered width of `text` in pixels at `fontSize`, from per-character
    /// advance widths close to DejaVu Sans (slightly generous so that layouts do not collide).
    public static func estimatedTextWidth(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for ch in text.unicodeScalars {
            switch ch {
            case "i", "j", "l", "I", ".", ",", ":", ";", "'", "|", "!", "\u{00B7}": em += 0.30
            case "f", "t", "r", " ", "(", ")", "[", "]", "/", "-": em += 0.40
            case "m", "w", "M", "W", "@", "%": em += 0.95
            case "A"..."Z": em += 0.72
            case "0"..."9": em += 0.64
            default: em += 0.62
            }
        }
        return em * fontSize
    }

    /// Shortens `text` with a trailing ellipsis so that its estimated width fits `maxWidth`.
    public static func truncated(_ text: String, fontSize: Double, maxWidth: Double) -> String {
        if estimatedTextWidth(text, fontSize: fontSize) <= maxWidth { return text }
        var chars = Array(text)
        while !chars.isEmpty, estimatedTextWidth(String(chars) + "\u{2026}", fontSize: fontSize) > maxWidth {
            chars.removeLast()
        }
        return String(chars) + "\u{2026}"
    }

    /// Appends a raw, already well-formed element line; prefer the typed helpers.
    public mutating func raw(_ element: String) {
        elements.append(String(repeating: "  ", count: depth) + element)
    }

    /// Appends a rectangle.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String,
        stroke: String? = nil, strokeWidth: Double = 1, cssClass: String? = nil
    ) {
        var a = "<rect" + classAttr(cssClass)
        a += " x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(width, 0)))\" height=\"\(c(max(height, 0)))\""
        a += " fill=\"\(fill)\"" + strokeAttrs(stroke, strokeWidth)
        raw(a + "/>")
    }

    /// Appends a straight line segment.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
        strokeWidth: Double = 1, dash: String? = nil, cssClass: String? = nil
    ) {
        var a = "<line" + classAttr(cssClass)
        a += " x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\""
        a += strokeAttrs(stroke, strokeWidth) + dashAttr(dash)
        raw(a + "/>")
    }

    /// Appends an unfilled polyline through `points`.
    public mutating func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, strokeWidth: Double = 2,
        dash: String? = nil, cssClass: String? = nil, clipPath: String? = nil
    ) {
        var a = "<polyline" + classAttr(cssClass)
        a += " points=\"" + points.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ") + "\""
        a += " fill=\"none\"" + strokeAttrs(stroke, strokeWidth) + dashAttr(dash)
        a += " stroke-linejoin=\"round\" stroke-linecap=\"round\"" + clipAttr(clipPath)
        raw(a + "/>")
    }

    /// Appends a closed, filled polygon (`opacity` sets its fill opacity).
    public mutating func polygon(
        _ points: [(x: Double, y: Double)], fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, opacity: Double? = nil, cssClass: String? = nil
    ) {
        var a = "<polygon" + classAttr(cssClass)
        a += " points=\"" + points.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ") + "\""
        a += " fill=\"\(fill)\""
        if let opacity { a += " fill-opacity=\"\(c(opacity))\"" }
        a += strokeAttrs(stroke, strokeWidth)
        raw(a + "/>")
    }

    /// Appends a circle.
    public mutating func circle(
        cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, opacity: Double? = nil, cssClass: String? = nil
    ) {
        var a = "<circle" + classAttr(cssClass)
        a += " cx=\"\(c(cx))\" cy=\"\(c(cy))\" r=\"\(c(r))\" fill=\"\(fill)\""
        if let opacity { a += " fill-opacity=\"\(c(opacity))\"" }
        raw(a + strokeAttrs(stroke, strokeWidth) + "/>")
    }

    /// Appends a text element; `rotation` (degrees, clockwise) turns it about its anchor point, and
    /// `halo` draws a white outline behind the glyphs so that the text stays readable over lines.
    public mutating func text(
        _ content: String, x: Double, y: Double, fontSize: Double,
        anchor: TextAnchor = .start, bold: Bool = false, fill: String = "#222222",
        rotation: Double? = nil, halo: Bool = false, cssClass: String? = nil
    ) {
        var a = "<text" + classAttr(cssClass)
        a += " x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(fontSize))\""
        if anchor != .start { a += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { a += " font-weight=\"bold\"" }
        a += " fill=\"\(fill)\""
        if halo {
            a += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""
        }
        if let rotation, rotation != 0 { a += " transform=\"rotate(\(c(rotation)) \(c(x)) \(c(y)))\"" }
        raw(a + ">" + SVGDocument.escape(content) + "</text>")
    }

    /// Defines a rectangular clip path named `id` (use it through the `clipPath` parameters).
    public mutating func defineClipRect(id: String, x: Double, y: Double, width: Double, height: Double) {
        let box = "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(width))\" height=\"\(c(height))\"/>"
        definitions.append("    <clipPath id=\"\(SVGDocument.escape(id))\">" + box + "</clipPath>")
    }

    /// Defines a hatch fill named `id`: `background` crossed by white stripes at `angle` degrees.
    /// Use it as a fill with `"url(#" + id + ")"`. Defining the same id twice keeps the first.
    public mutating func defineHatch(id: String, background: String, angle: Double) {
        let marker = "<pattern id=\"\(SVGDocument.escape(id))\""
        guard !definitions.contains(where: { $0.contains(marker) }) else { return }
        definitions.append(
            "    " + marker + " patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\""
                + " patternTransform=\"rotate(\(c(angle)))\"><rect x=\"0\" y=\"0\" width=\"6\" height=\"6\""
                + " fill=\"\(background)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\""
                + " stroke-width=\"2.5\"/></pattern>")
    }

    /// Opens a `<g>` group (with an optional class and clip path); close it with ``endGroup()``.
    public mutating func beginGroup(cssClass: String? = nil, clipPath: String? = nil) {
        raw("<g" + classAttr(cssClass) + clipAttr(clipPath) + ">")
        depth += 1
    }

    /// Closes the innermost group opened by ``beginGroup(cssClass:clipPath:)``.
    public mutating func endGroup() {
        depth = max(depth - 1, 1)
        raw("</g>")
    }

    /// The complete document: XML declaration, `<svg>` root with `xmlns`, `width`, `height` and
    /// `viewBox`, the title, the definitions, the background and the elements.
    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""
        out += " width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\""
        out += " font-family=\"\(SVGDocument.fontFamily)\">\n"
        if !title.isEmpty { out += "  <title>" + SVGDocument.escape(title) + "</title>\n" }
        if !definitions.isEmpty {
            out += "  <defs>\n" + definitions.joined(separator: "\n") + "\n  </defs>\n"
        }
        if let background {
            out += "  <rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"\(background)\"/>\n"
        }
        for element in elements { out += element + "\n" }
        var closing = depth
        while closing > 1 { out += String(repeating: "  ", count: closing - 1) + "</g>\n"; closing -= 1 }
        out += "</svg>\n"
        return out
    }

    // MARK: - Private helpers

    private func c(_ v: Double) -> String { ChartNumberFormat.coordinate(v.isFinite ? v : 0) }
    private func classAttr(_ cls: String?) -> String {
        cls.map { " class=\"\(SVGDocument.escape($0))\"" } ?? ""
    }
    private func clipAttr(_ id: String?) -> String {
        id.map { " clip-path=\"url(#\(SVGDocument.escape($0)))\"" } ?? ""
    }
    private func dashAttr(_ dash: String?) -> String {
        dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    }
    private func strokeAttrs(_ stroke: String?, _ w: Double) -> String {
        guard let stroke else { return "" }
        return " stroke=\"\(stroke)\" stroke-width=\"\(c(w))\""
    }
}
