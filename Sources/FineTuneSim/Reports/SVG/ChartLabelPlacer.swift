/// Greedy placement of text labels among obstacles (markers and labels already placed), used so
/// that chart annotations do not cover data points or each other.
///
/// A label candidate is a list of axis-aligned boxes (one box for horizontal text, a chain of small
/// boxes for rotated text). ``choose(_:minimumClearance:)`` returns the first candidate whose
/// clearance from every obstacle reaches the minimum, or else the candidate with the most clearance;
/// candidates that leave the bounds are penalized. The choice is deterministic.
public struct ChartLabelPlacer: Sendable {
    /// An axis-aligned rectangle in pixels.
    public struct Box: Sendable, Equatable {
        /// Left edge.
        public var x0: Double
        /// Top edge.
        public var y0: Double
        /// Right edge.
        public var x1: Double
        /// Bottom edge.
        public var y1: Double
        /// Creates a box from its edges (they are sorted).
        public init(x0: Double, y0: Double, x1: Double, y1: Double) {
            self.x0 = min(x0, x1)
            self.y0 = min(y0, y1)
            self.x1 = max(x0, x1)
            self.y1 = max(y0, y1)
        }

        /// The box of a horizontal text label with its baseline at `y`, anchored at `x`.
        public static func text(
            _ text: String, x: Double, y: Double, fontSize: Double,
            anchor: SVGDocument.TextAnchor
        ) -> Box {
            let w = SVGDocument.estimatedTextWidth(text, fontSize: fontSize)
            let left: Double
            switch anchor {
            case .start: left = x
            case .middle: left = x - w / 2
            case .end: left = x - w
            }
            return Box(x0: left, y0: y - fontSize * 0.8, x1: left + w, y1: y + fontSize * 0.22)
        }

        /// The gap between two boxes (negative when they overlap).
        public func gap(to other: Box) -> Double {
            let dx = max(other.x0 - x1, x0 - other.x1)
            let dy = max(other.y0 - y1, y0 - other.y1)
            if dx < 0 && dy < 0 { return max(dx, dy) }
            return (max(dx, 0) * max(dx, 0) + max(dy, 0) * max(dy, 0)).squareRoot()
        }

        /// The gap between this box and a circle (negative when they overlap).
        public func gap(toCircleAt cx: Double, _ cy: Double, radius r: Double) -> Double {
            let dx = max(x0 - cx, 0, cx - x1)
            let dy = max(y0 - cy, 0, cy - y1)
            return (dx * dx + dy * dy).squareRoot() - r
        }
    }

    /// The region labels must stay inside.
    public var bounds: Box
    /// Circular obstacles (markers): center and radius.
    public private(set) var circles: [(x: Double, y: Double, r: Double)] = []
    /// Box obstacles (placed labels).
    public private(set) var boxes: [Box] = []

    /// Creates a placer for labels inside `bounds`.
    public init(bounds: Box) {
        self.bounds = bounds
    }

    /// Adds a circular obstacle.
    public mutating func addCircle(x: Double, y: Double, r: Double) { circles.append((x, y, r)) }

    /// Adds box obstacles (for example a label that has been placed).
    public mutating func addBoxes(_ newBoxes: [Box]) { boxes += newBoxes }

    /// Adds a straight line from (`x0`, `y0`) to (`x1`, `y1`) as a chain of small boxes, `width`
    /// pixels thick.
    public mutating func addSegment(x0: Double, y0: Double, x1: Double, y1: Double, width: Double = 2) {
        let dx = x1 - x0, dy = y1 - y0
        let length = (dx * dx + dy * dy).squareRoot()
        let steps = max(Int((length / 4).rounded(.up)), 1)
        let h = width / 2
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            let x = x0 + dx * t, y = y0 + dy * t
            boxes.append(Box(x0: x - h, y0: y - h, x1: x + h, y1: y + h))
        }
    }

    /// The smallest gap between any box of `candidate` and any obstacle; boxes outside the bounds
    /// count as overlapping by the distance they stick out (plus a fixed penalty).
    public func clearance(of candidate: [Box]) -> Double {
        var best = Double.infinity
        for b in candidate {
            let out = max(bounds.x0 - b.x0, b.x1 - bounds.x1, bounds.y0 - b.y0, b.y1 - bounds.y1)
            if out > 0 { best = min(best, -out - 100) }
            for c in circles { best = min(best, b.gap(toCircleAt: c.x, c.y, radius: c.r)) }
            for o in boxes { best = min(best, b.gap(to: o)) }
        }
        return best
    }

    /// The index of the chosen candidate: the first with clearance of at least `minimumClearance`,
    /// otherwise the one with the largest clearance (the earliest on ties); `nil` for no candidates.
    public func choose(_ candidates: [[Box]], minimumClearance: Double = 2) -> Int? {
        var bestIndex: Int?
        var bestClearance = -Double.infinity
        for (i, c) in candidates.enumerated() {
            let value = clearance(of: c)
            if value >= minimumClearance { return i }
            if value > bestClearance {
                bestClearance = value
                bestIndex = i
            }
        }
        return bestIndex
    }
}
