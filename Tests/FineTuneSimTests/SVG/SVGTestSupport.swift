import Foundation
import XCTest

@testable import FineTuneSim

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// One parsed XML element: its name, attributes, text content and enclosing group classes.
struct SVGTestElement {
    var name: String
    var attributes: [String: String]
    var text: String
    var groupClasses: [String]

    func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    var cssClass: String? { attributes["class"] }
}

/// Parses SVG text with Foundation's XMLParser and records every element.
final class SVGTestParser: NSObject, XMLParserDelegate {
    private(set) var elements: [SVGTestElement] = []
    private var stack: [Int] = []
    private var groups: [String] = []
    private(set) var error: Error?

    static func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> SVGTestParser {
        let delegate = SVGTestParser()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        let ok = parser.parse()
        XCTAssertTrue(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        return delegate
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(SVGTestElement(name: elementName, attributes: attributeDict, text: "", groupClasses: groups))
        stack.append(elements.count - 1)
        if elementName == "g" { groups.append(attributeDict["class"] ?? "") }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        stack.removeLast()
        if elementName == "g" { groups.removeLast() }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    /// All elements named `name`, optionally only those with CSS class `cssClass`.
    func all(_ name: String, cssClass: String? = nil) -> [SVGTestElement] {
        elements.filter { $0.name == name && (cssClass == nil || $0.cssClass == cssClass) }
    }

    /// The text of every `<text>` element.
    var texts: [String] { all("text").map(\.text) }

    var root: SVGTestElement? { elements.first }
}

/// Checks the root element and that every unrotated text element lies within the canvas.
func svgAssertWellFormedChart(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> SVGTestParser {
    let doc = SVGTestParser.parse(svg, file: file, line: line)
    guard let root = doc.root else {
        XCTFail("no root element", file: file, line: line)
        return doc
    }
    XCTAssertEqual(root.name, "svg", file: file, line: line)
    XCTAssertEqual(root.attributes["xmlns"], "http://www.w3.org/2000/svg", file: file, line: line)
    let w = root.number("width") ?? 0, h = root.number("height") ?? 0
    XCTAssertGreaterThan(w, 0, file: file, line: line)
    XCTAssertGreaterThan(h, 0, file: file, line: line)
    XCTAssertEqual(
        root.attributes["viewBox"], "0 0 \(root.attributes["width"] ?? "") \(root.attributes["height"] ?? "")",
        file: file, line: line)
    XCTAssertTrue(svg.contains("fill=\"#ffffff\""), "white background", file: file, line: line)
    for t in doc.all("text") where t.attributes["transform"] == nil {
        let size = t.number("font-size") ?? 12
        let tw = SVGDocument.estimatedTextWidth(t.text, fontSize: size)
        let x = t.number("x") ?? 0, y = t.number("y") ?? 0
        let x0: Double
        switch t.attributes["text-anchor"] {
        case "middle": x0 = x - tw / 2
        case "end": x0 = x - tw
        default: x0 = x
        }
        XCTAssertGreaterThanOrEqual(x0, -0.5, "text '\(t.text)' leaves the canvas on the left", file: file, line: line)
        XCTAssertLessThanOrEqual(x0 + tw, w + 0.5, "text '\(t.text)' leaves the canvas on the right", file: file, line: line)
        XCTAssertGreaterThanOrEqual(y - size, -0.5, "text '\(t.text)' leaves the canvas at the top", file: file, line: line)
        XCTAssertLessThanOrEqual(y, h, "text '\(t.text)' leaves the canvas at the bottom", file: file, line: line)
    }
    return doc
}

/// Asserts that the legend box lies entirely right of `plotRight`.
func svgAssertLegendRight(of plotRight: Double, in doc: SVGTestParser, file: StaticString = #filePath, line: UInt = #line) {
    guard let box = doc.all("rect", cssClass: "legend-box").first else {
        XCTFail("no legend", file: file, line: line)
        return
    }
    XCTAssertGreaterThan(box.number("x") ?? 0, plotRight, "legend overlaps the plot area", file: file, line: line)
    let w = doc.root?.number("width") ?? 0
    XCTAssertLessThanOrEqual(
        (box.number("x") ?? 0) + (box.number("width") ?? 0), w, "legend clipped",
        file: file, line: line)
}

func svgPlotFrameRight(_ doc: SVGTestParser) -> Double {
    let frame = doc.all("rect", cssClass: "plot-frame").first
    return (frame?.number("x") ?? 0) + (frame?.number("width") ?? 0)
}
