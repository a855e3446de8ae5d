import Foundation

/// Reads PyTorch profiler / Kineto Chrome-trace JSON into an ``ImportedTrace``.
///
/// What it uses (see `shared/reference/traces/README.md`):
/// - `traceEvents`: GPU kernels are `ph == "X"` events with `cat == "kernel"` (older Kineto: `Kernel`); they are
///   selected by category, never by name. `ts`/`dur` are microseconds, integer or fractional. The stream is
///   `args.stream` (else a numeric `tid`), the GPU `args.device` (else a numeric `pid`).
/// - `gpu_memcpy` / `gpu_memset` (older: `Memcpy` / `Memset`) are counted, not treated as kernels.
/// - `ProfilerStep#N` ranges with category `user_annotation` (or `cpu_op`/`Operator` in older PyTorch) give the
///   step count and mean step time; the GPU-side copies (`gpu_user_annotation`) are ignored so steps are not
///   counted twice, and a step seen twice under the same name counts once.
/// - `deviceProperties[].name` gives the GPU name (the entry whose `id` is the GPU most kernels ran on).
/// Everything else (CPU ops, runtime calls, flows, metadata) is skipped. A top-level event array (the other
/// Chrome-trace form) is accepted too.
public enum KinetoTraceParser {
    /// Parses Kineto JSON (already decompressed). `source` names the file in errors.
    public static func parse(data: Data, source: String, nameMap: KernelNameMap) throws(SimulatorError) -> ImportedTrace {
        guard data.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw SimulatorError(source: source, "not JSON: the file is empty")
        }
        let file: KinetoFile
        do {
            file = try JSONDecoder().decode(KinetoFile.self, from: data)
        } catch let error as KinetoShapeError {
            switch error {
            case .missingTraceEvents(let keys):
                let found = keys.isEmpty ? "no keys" : "keys: " + keys.sorted().prefix(12).joined(separator: ", ")
                throw SimulatorError(
                    source: source, key: "traceEvents",
                    "JSON object has no traceEvents list (\(found)); not a Kineto/Chrome trace")
            case .notAnObject(let kind):
                throw SimulatorError(
                    source: source, key: "traceEvents",
                    "expected a JSON object with a traceEvents list, found \(kind)")
            }
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw SimulatorError(source: source, "not JSON: \(syntaxProblem(in: data))")
            }
            throw convert(error, source: source)
        } catch {
            throw SimulatorError(source: source, "not JSON: \(TraceText.oneLine(String(describing: error)))")
        }
        return try build(file, source: source, nameMap: nameMap)
    }

    // MARK: Interpretation

    private static func build(_ file: KinetoFile, source: String, nameMap: KernelNameMap) throws(SimulatorError) -> ImportedTrace {
        struct PendingKernel {
            var name: String
            var ts: Double
            var dur: Double
            var stream: Int?
            var device: Int?
            var index: Int
        }
        var pending: [PendingKernel] = []
        var steps: [String: (ts: Double, dur: Double)] = [:]
        var memcpyCount = 0, memsetCount = 0
        var memcpyMicros = 0.0, memsetMicros = 0.0

        func time(_ value: KinetoValue?, _ field: String, _ index: Int, _ what: String, _ name: String) throws(SimulatorError) -> Double {
            let key = "traceEvents[\(index)].\(field)"
            guard let value, value != .null else {
                throw SimulatorError(source: source, key: key, "\(what) event '\(TraceText.short(name))' has no \(field)")
            }
            guard let number = value.number else {
                throw SimulatorError(
                    source: source, key: key,
                    "\(what) event '\(TraceText.short(name))' has a non-numeric \(field): \(value.shown)")
            }
            if field == "dur" && number < 0 {
                throw SimulatorError(
                    source: source, key: key,
                    "\(what) event '\(TraceText.short(name))' has a negative duration: \(TraceText.number(number)) µs")
            }
            return number
        }

        for (index, event) in file.traceEvents.enumerated() {
            guard event.ph == "X", let category = event.category else { continue }
            switch category {
            case .kernel:
                guard let name = event.name else {
                    throw SimulatorError(
                        source: source, key: "traceEvents[\(index)].name", "kernel event has no name (or it is not a string)")
                }
                let ts = try time(event.ts, "ts", index, "kernel", name)
                let dur = try time(event.dur, "dur", index, "kernel", name)
                let stream = event.stream?.integer ?? event.tid?.integer
                let device = event.device?.integer ?? event.pid?.integer
                pending.append(PendingKernel(name: name, ts: ts, dur: dur, stream: stream, device: device, index: index))
            case .memcpy, .memset:
                let what = category == .memcpy ? "memcpy" : "memset"
                let name = event.name ?? what
                _ = try time(event.ts, "ts", index, what, name)
                let dur = try time(event.dur, "dur", index, what, name)
                if category == .memcpy {
                    memcpyCount += 1
                    memcpyMicros += dur
                } else {
                    memsetCount += 1
                    memsetMicros += dur
                }
            case .annotation:
                guard let name = event.name, name.hasPrefix("ProfilerStep#") else { continue }
                let ts = try time(event.ts, "ts", index, "step annotation", name)
                let dur = try time(event.dur, "dur", index, "step annotation", name)
                if steps[name] == nil { steps[name] = (ts, dur) }
            }
        }

        let origin = (pending.map(\.ts) + steps.values.map(\.ts)).min()
        pending.sort { $0.ts != $1.ts ? $0.ts < $1.ts : $0.index < $1.index }
        var kinds: [String: KernelKind?] = [:]
        var kernels: [ImportedTrace.KernelRecord] = []
        kernels.reserveCapacity(pending.count)
        var deviceCounts: [Int: Int] = [:]
        for kernel in pending {
            let kind: KernelKind?
            if let cached = kinds[kernel.name] {
                kind = cached
            } else {
                kind = nameMap.kind(for: kernel.name)
                kinds[kernel.name] = kind
            }
            if let device = kernel.device { deviceCounts[device, default: 0] += 1 }
            kernels.append(
                ImportedTrace.KernelRecord(
                    name: kernel.name, kind: kind, stream: kernel.stream, device: kernel.device,
                    start_s: (kernel.ts - (origin ?? 0)) / 1e6, duration_s: kernel.dur / 1e6))
        }

        let mainDevice = deviceCounts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        let properties = file.deviceProperties ?? []
        let deviceName =
            (properties.first { mainDevice != nil && $0.id == mainDevice && $0.name != nil }
            ?? properties.first { $0.name != nil })?.name

        let meanStep: Double? = steps.isEmpty ? nil : steps.values.reduce(0) { $0 + $1.dur } / Double(steps.count) / 1e6
        return ImportedTrace(
            source: source, format: .kineto, deviceName: deviceName, stepCount: steps.count,
            meanStepTime_s: meanStep, kernels: kernels, originMicroseconds: origin,
            memcpyCount: memcpyCount, memcpyTotal_s: memcpyMicros / 1e6,
            memsetCount: memsetCount, memsetTotal_s: memsetMicros / 1e6)
    }

    /// Where the JSON syntax breaks, from JSONSerialization's message ("Invalid value around character 8."),
    /// with the byte offset turned into a line and column. Only called on the error path.
    static func syntaxProblem(in data: Data) -> String {
        let detail: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "the data is not valid JSON"
        } catch let error as NSError {
            detail = (error.userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
        }
        guard let range = detail.range(of: "around character "),
            let offset = Int(detail[range.upperBound...].prefix { $0.isNumber })
        else {
            return TraceText.short(detail, 200)
        }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        let near = String(decoding: data.dropFirst(offset).prefix(24), as: UTF8.self)
        return "invalid JSON at line \(line), column \(column), near '\(TraceText.short(near, 24))'"
    }

    private static func convert(_ error: DecodingError, source: String) -> SimulatorError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError.map { String(describing: $0) } ?? context.debugDescription)
                return SimulatorError(source: source, "not JSON: \(TraceText.short(detail, 200))")
            }
            return SimulatorError(source: source, key: path(context.codingPath), TraceText.short(context.debugDescription, 200))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let key = path(context.codingPath)
            if key == "traceEvents" {
                return SimulatorError(
                    source: source, key: key, "expected a list of events: \(TraceText.short(context.debugDescription, 200))")
            }
            return SimulatorError(source: source, key: key, "expected an event object: \(TraceText.short(context.debugDescription, 200))")
        case .keyNotFound(let key, let context):
            return SimulatorError(source: source, key: path(context.codingPath + [key]), "missing")
        @unknown default:
            return SimulatorError(source: source, TraceText.oneLine(String(describing: error)))
        }
    }
}

// MARK: - Decoding only the needed fields

private enum KinetoShapeError: Error {
    case missingTraceEvents([String])
    case notAnObject(String)
}

/// Any JSON value, decoded without failing, so that a field of the wrong type becomes a clear error later
/// (shared with ``HostCostProfile``).
enum KinetoValue: Decodable, Equatable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case other

    init(from decoder: any Decoder) {
        guard let container = try? decoder.singleValueContainer() else {
            self = .other
            return
        }
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            self = .other
        }
    }

    /// The value as a finite number; numeric strings count.
    var number: Double? {
        switch self {
        case .number(let value): return value.isFinite ? value : nil
        case .string(let text): return CSVTable.parseNumber(text)
        default: return nil
        }
    }

    /// The value as an exact integer, else nil.
    var integer: Int? {
        guard let value = number, value == value.rounded(), abs(value) < 9e15 else { return nil }
        return Int(value)
    }

    /// The value as written in a message.
    var shown: String {
        switch self {
        case .number(let value): return TraceText.number(value)
        case .string(let text): return "\"\(TraceText.short(text, 40))\""
        case .bool(let value): return String(value)
        case .null: return "null"
        case .other: return "an array or object"
        }
    }
}

private struct KinetoFile: Decodable {
    var traceEvents: [KinetoEvent]
    var deviceProperties: [KinetoDevice]?

    private enum Keys: String, CodingKey {
        case traceEvents, deviceProperties
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container: KeyedDecodingContainer<Keys>
        do {
            container = try decoder.container(keyedBy: Keys.self)
        } catch DecodingError.typeMismatch {
            // The Chrome-trace "JSON array" form: the events alone.
            let single = try decoder.singleValueContainer()
            if let events = try? single.decode([KinetoEvent].self) {
                traceEvents = events
                deviceProperties = nil
                return
            }
            throw KinetoShapeError.notAnObject(KinetoValue(from: decoder).kindName)
        }
        guard container.contains(.traceEvents) else {
            let keys = (try? decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)) ?? []
            throw KinetoShapeError.missingTraceEvents(keys)
        }
        traceEvents = try container.decode([KinetoEvent].self, forKey: .traceEvents)
        deviceProperties = try? container.decodeIfPresent([KinetoDevice].self, forKey: .deviceProperties)
    }
}

extension KinetoValue {
    var kindName: String {
        switch self {
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .null: return "null"
        case .other: return "an array that is not a list of event objects"
        }
    }
}

private struct KinetoDevice: Decodable {
    var id: Int?
    var name: String?

    private enum Keys: String, CodingKey { case id, name }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = (try? container.decodeIfPresent(KinetoValue.self, forKey: .id))??.integer
        name = try? container.decodeIfPresent(String.self, forKey: .name)
    }
}

private struct KinetoEvent: Decodable {
    enum Category { case kernel, memcpy, memset, annotation }

    var ph: String?
    var category: Category?
    var name: String?
    var ts: KinetoValue?
    var dur: KinetoValue?
    var pid: KinetoValue?
    var tid: KinetoValue?
    var stream: KinetoValue?
    var device: KinetoValue?

    private enum Keys: String, CodingKey { case ph, cat, name, ts, dur, pid, tid, args }
    private enum ArgKeys: String, CodingKey { case stream, device }

    static func category(_ cat: String) -> Category? {
        switch cat {
        case "kernel", "Kernel": return .kernel
        case "gpu_memcpy", "Memcpy": return .memcpy
        case "gpu_memset", "Memset": return .memset
        case "user_annotation", "cpu_op", "Operator", "operator": return .annotation
        default: return nil
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        ph = try? container.decodeIfPresent(String.self, forKey: .ph)
        guard ph == "X", let cat = try? container.decodeIfPresent(String.self, forKey: .cat),
            let category = KinetoEvent.category(cat)
        else { return }
        self.category = category
        name = try? container.decodeIfPresent(String.self, forKey: .name)
        // CPU ops are numerous: only a step annotation needs its times.
        if category == .annotation && !(name?.hasPrefix("ProfilerStep#") ?? false) { return }
        ts = try container.decodeIfPresent(KinetoValue.self, forKey: .ts)
        dur = try container.decodeIfPresent(KinetoValue.self, forKey: .dur)
        guard category == .kernel else { return }
        pid = try container.decodeIfPresent(KinetoValue.self, forKey: .pid)
        tid = try container.decodeIfPresent(KinetoValue.self, forKey: .tid)
        if let args = try? container.nestedContainer(keyedBy: ArgKeys.self, forKey: .args) {
            stream = try args.decodeIfPresent(KinetoValue.self, forKey: .stream)
            device = try args.decodeIfPresent(KinetoValue.self, forKey: .device)
        }
    }
}
