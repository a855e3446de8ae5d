import Foundation

/// Dollars per GPU-hour by GPU id, from `Configs/prices.yaml` with command-line overrides.
public struct PriceList: Sendable {
    /// Prices by GPU id.
    public var usdPerHour: [String: Double]
    /// The price file's date.
    public var date: String

    /// Reads `prices: {gpu: {usd_per_hour: X, …}}`.
    public init(node: ConfigNode) throws(SimulatorError) {
        date = try node.string("date", default: "")
        let prices = try node.node("prices")
        var out: [String: Double] = [:]
        for key in prices.values.keys.sorted() {
            let entry = try prices.node(key)
            out[key] = try entry.double("usd_per_hour", positive: true)
        }
        usdPerHour = out
    }

    /// Reads a price file: `prices: {gpu: {usd_per_hour: X, …}}` (Configs/prices.yaml) or a flat map
    /// `gpu: usd_per_hour` (strings at the top of a flat map, such as `date:`, are metadata). A missing file
    /// gives an empty list.
    public static func load(file: String) throws(SimulatorError) -> PriceList {
        guard FileManager.default.fileExists(atPath: file) else { return PriceList() }
        let top = try ConfigNode.load(file: file)
        if top.has("prices") { return try PriceList(node: top) }
        var list = PriceList()
        list.date = try top.string("date", default: "")
        for key in top.values.keys.sorted() where !(top.values[key] is String) {
            list.usdPerHour[key] = try top.double(key, positive: true)
        }
        return list
    }

    /// An empty list.
    public init() {
        usdPerHour = [:]
        date = ""
    }

    /// Applies `GPU=USD` overrides (prices must be positive); returns the GPU ids they name, in order.
    @discardableResult
    public mutating func override(_ items: [String]) throws(SimulatorError) -> [String] {
        var ids: [String] = []
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw SimulatorError(source: "--price", "'\(item)' is not GPU=USD_PER_HOUR") }
            guard let v = Double(parts[1]), v.isFinite else {
                throw SimulatorError(source: "--price", "'\(parts[1])' in '\(item)' is not a number")
            }
            guard v > 0 else { throw SimulatorError(source: "--price", "price for \(parts[0]) must be positive, got \(parts[1])") }
            usdPerHour[parts[0]] = v
            ids.append(parts[0])
        }
        return ids
    }
}
