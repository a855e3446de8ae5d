import Foundation

/// A fine-tuning dataset, known by the histogram of its queries' token lengths.
public struct Dataset: Sendable, Equatable {
    /// Short id, e.g. `math14k`.
    public var id: String
    /// Display name.
    public var name: String
    /// (token length, number of queries), ascending by length.
    public var histogram: [(tokens: Int, queries: Int)]
    /// Queries longer than this are cut to it.
    public var cutoff: Int
    /// Each batch is padded to its longest query, rounded up to a multiple of this.
    public var padMultiple: Int

    public static func == (a: Dataset, b: Dataset) -> Bool {
        a.id == b.id && a.cutoff == b.cutoff && a.padMultiple == b.padMultiple
            && a.histogram.elementsEqual(b.histogram) { $0.tokens == $1.tokens && $0.queries == $1.queries }
    }

    /// Creates a dataset from a histogram.
    public init(id: String, name: String, histogram: [(tokens: Int, queries: Int)], cutoff: Int = 1024, padMultiple: Int = 8) {
        self.id = id
        self.name = name
        self.histogram = histogram.sorted { $0.tokens < $1.tokens }
        self.cutoff = cutoff
        self.padMultiple = padMultiple
    }

    /// Reads a dataset from YAML: `histogram` is a list of `[tokens, queries]` pairs.
    public init(node: ConfigNode, id: String) throws(SimulatorError) {
        let cutoff = try node.int("cutoff", default: 1024, minimum: 1)
        let pad = try node.int("pad_multiple", default: 8, minimum: 1)
        guard let raw = node.values["histogram"] as? [Any] else {
            throw node.has("histogram")
                ? node.fail("histogram", "is not a list of [tokens, queries] pairs") : node.fail("histogram", "required key is missing")
        }
        var bins: [(tokens: Int, queries: Int)] = []
        for (i, e) in raw.enumerated() {
            guard let pair = e as? [Any], pair.count == 2, let t = pair[0] as? Int, let q = pair[1] as? Int else {
                throw node.fail("histogram[\(i)]", "'\(e)' is not a [tokens, queries] pair of integers")
            }
            guard t > 0, q >= 0 else {
                throw node.fail("histogram[\(i)]", "tokens must be positive and queries not negative, got [\(t), \(q)]")
            }
            bins.append((t, q))
        }
        guard bins.contains(where: { $0.queries > 0 }) else { throw node.fail("histogram", "holds no queries") }
        self.init(
            id: try node.string("id", default: id), name: try node.string("name", default: id), histogram: bins, cutoff: cutoff,
            padMultiple: pad)
    }

    /// Total queries.
    public var size: Int { histogram.reduce(0) { $0 + $1.queries } }

    /// A length after the cutoff, padded up to the multiple.
    public func padded(_ tokens: Int) -> Int {
        let t = min(tokens, cutoff)
        let p = (t + padMultiple - 1) / padMultiple * padMultiple
        return min(p, max(cutoff, padMultiple))
    }

    /// The padded length of a batch that holds the longest query.
    public var longestPadded: Int { padded(histogram.last { $0.queries > 0 }!.tokens) }

    /// The distribution of a batch's padded length when `batch` queries are drawn independently:
    /// P(L ≤ x) = F(x)^batch over the padded single-query distribution F. Exact; ascending lengths.
    public func paddedBatchLengths(batch: Int) -> [(length: Int, probability: Double)] {
        let n = Double(size)
        var perLength: [Int: Int] = [:]
        for bin in histogram where bin.queries > 0 { perLength[padded(bin.tokens), default: 0] += bin.queries }
        let lengths = perLength.keys.sorted()
        var out: [(Int, Double)] = []
        var cumulative = 0
        var previous = 0.0
        for L in lengths {
            cumulative += perLength[L]!
            let f = pow(Double(cumulative) / n, Double(batch))
            let p = f - previous
            previous = f
            if p > 0 { out.append((L, p)) }
        }
        return out
    }

    /// Mean padded batch length for `batch` queries.
    public func expectedPaddedLength(batch: Int) -> Double {
        paddedBatchLengths(batch: batch).reduce(0) { $0 + Double($1.length) * $1.probability }
    }
}
