import CZlib
import Foundation

/// Reading trace files from disk, transparently un-gzipping them.
enum TraceFile {
    /// The bytes of `path`, or a ``SimulatorError`` naming it.
    static func read(_ path: String) throws(SimulatorError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SimulatorError(source: path, "cannot read file: \(TraceText.oneLine(error.localizedDescription))")
        }
    }

    /// True when `data` starts with the gzip magic bytes 1f 8b.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The bytes of `path`, decompressed when they are gzip (by content, not by extension).
    /// A `.gz` file that is not gzip is an error.
    static func readMaybeGzip(_ path: String) throws(SimulatorError) -> Data {
        let data = try read(path)
        if isGzip(data) { return try gunzip(data, source: path) }
        if path.lowercased().hasSuffix(".gz") {
            throw SimulatorError(source: path, "file ends in .gz but is not gzip data (no 1f 8b magic bytes)")
        }
        return data
    }

    /// Decompresses gzip data, including several concatenated gzip members.
    /// A truncated or corrupt stream is an error naming `source`.
    static func gunzip(_ input: Data, source: String) throws(SimulatorError) -> Data {
        if input.isEmpty { return Data() }
        var stream = z_stream()
        // 15 + 32: maximum window, automatic gzip/zlib header detection.
        var status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw SimulatorError(source: source, "cannot start gzip decompression (zlib status \(status))")
        }
        defer { inflateEnd(&stream) }

        var output = Data()
        output.reserveCapacity(min(input.count * 8, 1 << 30))
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)

        // The closure reports its failure as a value, so that this function throws only SimulatorError.
        let failure: SimulatorError? = input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> SimulatorError? in
            guard let base = raw.bindMemory(to: Bytef.self).baseAddress else { return nil }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = uInt(raw.count)
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunkSize - Int(stream.avail_out)
                }
                if produced > 0 { output.append(contentsOf: chunk[0..<produced]) }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another gzip member may follow; anything that is not one is trailing garbage.
                    if stream.avail_in == 0 { return nil }
                    if stream.avail_in >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B {
                        guard inflateReset(&stream) == Z_OK else {
                            return SimulatorError(source: source, "cannot restart gzip decompression")
                        }
                        continue
                    }
                    return SimulatorError(
                        source: source, "gzip data is followed by \(stream.avail_in) bytes of trailing garbage")
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return SimulatorError(
                        source: source,
                        "truncated gzip data: the stream ends after \(raw.count) compressed bytes without its end marker")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    return SimulatorError(source: source, "corrupt gzip data: \(message)")
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}

/// Small text helpers shared by the trace importers (kept in a namespace so they cannot collide with
/// extensions elsewhere in the module).
enum TraceText {
    static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    /// `text` without leading and trailing spaces, tabs, CRs and LFs.
    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// Every occurrence of `target` in `text` replaced with `replacement`.
    static func replacing(_ target: String, with replacement: String, in text: String) -> String {
        guard !target.isEmpty, text.contains(target) else { return text }
        var result = ""
        var rest = text[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }

    /// The text up to its first line end.
    static func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" && $0 != "\r" })
    }

    /// The text with line ends turned into spaces, so an error message stays on one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    /// At most `limit` characters of `text` on one line, with "…" when cut (for names in error messages).
    static func short(_ text: String, _ limit: Int = 80) -> String {
        let line = oneLine(text)
        return line.count <= limit ? line : String(line.prefix(limit)) + "…"
    }

    /// A deterministic, locale-independent rendering of `value` like C's `%.9g`: at most 9 significant
    /// digits, no trailing zeros, exponent form when the decimal exponent is below -4 or above 8
    /// (`0.000123`, `1.5e-07`, `42`, `123456789`, `1.23456789e+12`). Always `.` as the decimal point.
    /// It rounds Swift's shortest round-trip digits (half up), so it never depends on the C library or locale.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        if value == 0 { return "0" }
        let significant = 9
        // Shortest round-trip form, e.g. "123.456", "0.0001", "1e-05", "1.2345e+16".
        let text = "\(abs(value))"
        var mantissa = Substring(text)
        var exponentPart = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponentPart = Int(text[text.index(after: e)...]) ?? 0
        }
        let integerDigits =
            mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count
        var digits = mantissa.compactMap { $0.wholeNumberValue }
        let leadingZeros = digits.prefix { $0 == 0 }.count
        digits.removeFirst(leadingZeros)
        guard !digits.isEmpty else { return "0" }
        // value = d0.d1d2... × 10^exponent
        var exponent = integerDigits - leadingZeros - 1 + exponentPart
        if digits.count > significant {
            let roundUp = digits[significant] >= 5
            digits.removeLast(digits.count - significant)
            if roundUp {
                var i = significant - 1
                while i >= 0 {
                    if digits[i] == 9 { digits[i] = 0; i -= 1 } else { digits[i] += 1; break }
                }
                if i < 0 { digits.insert(1, at: 0); digits.removeLast(); exponent += 1 }
            }
        }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        let chars = digits.map { String($0) }.joined()
        var out = value < 0 ? "-" : ""
        if exponent < -4 || exponent >= significant {
            out += String(chars.prefix(1))
            if chars.count > 1 { out += "." + chars.dropFirst() }
            out += "e" + (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
        } else if exponent >= 0 {
            let intCount = exponent + 1
            if chars.count <= intCount {
                out += chars + String(repeating: "0", count: intCount - chars.count)
            } else {
                out += chars.prefix(intCount) + "." + chars.dropFirst(intCount)
            }
        } else {
            out += "0." + String(repeating: "0", count: -exponent - 1) + chars
        }
        return out
    }
}
