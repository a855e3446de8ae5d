/// A parsed CSV file (RFC 4180) with a header row, looked up by column name.
///
/// The parser handles quoted fields with commas, doubled quotes (`""`) and embedded newlines, CRLF or LF
/// line ends, a UTF-8 byte-order mark, and blank lines (skipped). Lines that start with `#` outside quotes
/// are comments (see ``comments``) when `commentPrefix` is set, so tidy CSVs written by ``CSVTable/line(_:)``
/// with `# key: value` headers read back. Every row remembers the physical line it started on, so errors
/// can say "row 3 (line 12)".
public struct CSVTable: Sendable {
    /// One record of the file.
    public struct Row: Sendable, Equatable {
        /// 1-based physical line where the record starts.
        public var line: Int
        /// 1-based index among the data rows (the header is not counted).
        public var number: Int
        /// The fields as written, unquoted.
        public var fields: [String]

        /// The field at `column`, or "" when the row is shorter than the header.
        public subscript(column: Int) -> String {
            column >= 0 && column < fields.count ? fields[column] : ""
        }
    }

    /// A raw record before a header is chosen.
    public struct Record: Sendable, Equatable {
        /// 1-based physical line where the record starts.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    /// The file or flag the text came from, used in error messages.
    public let source: String
    /// The header fields, as written.
    public let header: [String]
    /// 1-based line of the header (0 when the text is empty).
    public let headerLine: Int
    /// The data rows after the header.
    public let rows: [Row]
    /// Comment lines, without the comment character and one following space, in file order.
    public let comments: [String]
    /// Records before the header, when `isHeader` skipped some (for example a tool's log lines).
    public let preamble: [Record]

    /// Parses `text`. The header is the first record for which `isHeader` returns true; records before it go
    /// to ``preamble``. When no record qualifies, the first record is the header, so that a caller's
    /// ``requireColumn(_:where:)`` names the missing column.
    public init(
        text: String,
        source: String,
        commentPrefix: Character? = "#",
        isHeader: ([String]) -> Bool = { _ in true }
    ) throws(SimulatorError) {
        let parsed = try CSVTable.parseRecords(text, source: source, commentPrefix: commentPrefix)
        self.source = source
        self.comments = parsed.comments
        let records = parsed.records
        let headerIndex = records.firstIndex { isHeader($0.fields) } ?? (records.isEmpty ? nil : 0)
        guard let headerIndex else {
            header = []
            headerLine = 0
            rows = []
            preamble = []
            return
        }
        header = records[headerIndex].fields
        headerLine = records[headerIndex].line
        preamble = Array(records[..<headerIndex])
        var rows: [Row] = []
        rows.reserveCapacity(records.count - headerIndex - 1)
        for (offset, record) in records[(headerIndex + 1)...].enumerated() {
            rows.append(Row(line: record.line, number: offset + 1, fields: record.fields))
        }
        self.rows = rows
    }

    /// Reads and parses a UTF-8 file.
    public init(
        contentsOfFile path: String,
        commentPrefix: Character? = "#",
        isHeader: ([String]) -> Bool = { _ in true }
    ) throws(SimulatorError) {
        let data = try TraceFile.read(path)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw SimulatorError(source: path, "file is not valid UTF-8 text")
        }
        try self.init(text: text, source: path, commentPrefix: commentPrefix, isHeader: isHeader)
    }

    // MARK: Columns

    /// The index of the first column whose name, trimmed of spaces, equals `name` ignoring case.
    public func columnIndex(_ name: String) -> Int? {
        let wanted = TraceText.trimmed(name).lowercased()
        return header.firstIndex { TraceText.trimmed($0).lowercased() == wanted }
    }

    /// The index of the first column whose header satisfies `matches`.
    public func columnIndex(where matches: (String) -> Bool) -> Int? {
        header.firstIndex(where: matches)
    }

    /// The index of column `name` (trimmed, case-insensitive), or an error naming it and the header.
    public func requireColumn(_ name: String) throws(SimulatorError) -> Int {
        try requireColumn(name) { TraceText.trimmed($0).lowercased() == TraceText.trimmed(name).lowercased() }
    }

    /// The index of the first column satisfying `matches`, or an error naming `name` and listing the header.
    public func requireColumn(_ name: String, where matches: (String) -> Bool) throws(SimulatorError) -> Int {
        if let index = header.firstIndex(where: matches) { return index }
        let found = header.isEmpty ? "no header row" : "header is " + header.map { "'\($0)'" }.joined(separator: ", ")
        throw SimulatorError(source: source, key: name, "missing required column '\(name)' (\(found))")
    }

    /// The name of `column` as written in the header.
    public func columnName(_ column: Int) -> String {
        column >= 0 && column < header.count ? TraceText.trimmed(header[column]) : "column \(column + 1)"
    }

    // MARK: Typed fields

    /// The field at `column` of `row` as a finite number, or an error naming the row, line and column.
    ///
    /// Accepts surrounding spaces and thousands separators (`3,642,496`); parsing ignores the locale.
    public func double(_ row: Row, _ column: Int) throws(SimulatorError) -> Double {
        let raw = row[column]
        guard let value = CSVTable.parseNumber(raw) else {
            throw fieldError(row, column, TraceText.trimmed(raw).isEmpty ? "empty value, expected a number" : "not a number: '\(raw)'")
        }
        return value
    }

    /// The field at `column` of `row` as a whole number, or an error naming the row, line and column.
    public func int(_ row: Row, _ column: Int) throws(SimulatorError) -> Int {
        let raw = row[column]
        guard let value = CSVTable.parseNumber(raw), value == value.rounded(), abs(value) < 9e15 else {
            throw fieldError(row, column, TraceText.trimmed(raw).isEmpty ? "empty value, expected an integer" : "not an integer: '\(raw)'")
        }
        return Int(value)
    }

    /// An error about one field: "source: Column: row N (line L): message".
    public func fieldError(_ row: Row, _ column: Int, _ message: String) -> SimulatorError {
        SimulatorError(source: source, key: columnName(column), "row \(row.number) (line \(row.line)): \(message)")
    }

    /// Parses a decimal number independent of the locale: optional spaces, sign, digits with optional
    /// thousands separators, fraction and exponent. Returns nil for anything else, including nan and inf.
    public static func parseNumber(_ text: String) -> Double? {
        let trimmed = TraceText.trimmed(text)
        guard !trimmed.isEmpty else { return nil }
        if let value = Double(trimmed), value.isFinite, trimmed.utf8.allSatisfy(isNumberByte) { return value }
        // Thousands separators: digit groups of three after the first.
        guard trimmed.contains(",") else { return nil }
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
        guard groups.count > 1, groups.dropFirst().allSatisfy({ $0.count == 3 }),
            let first = groups.first, !first.isEmpty, first.count <= 4
        else { return nil }
        let joined = TraceText.replacing(",", with: "", in: trimmed)
        guard let value = Double(joined), value.isFinite, joined.utf8.allSatisfy(isNumberByte) else { return nil }
        return value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2D || byte == 0x2B || byte == 0x65 || byte == 0x45
    }

    // MARK: Parsing

    /// Splits `text` into records and comment lines (RFC 4180, plus comments and blank-line skipping).
    public static func parseRecords(
        _ text: String,
        source: String,
        commentPrefix: Character? = "#"
    ) throws(SimulatorError) -> (records: [Record], comments: [String]) {
        let bytes = Array(text.utf8)
        let comment: UInt8? = commentPrefix.flatMap { $0.asciiValue }
        let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var records: [Record] = []
        var comments: [String] = []
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1
        let n = bytes.count

        // Consumes a line end at i (LF, CRLF or a lone CR); returns true if one was there.
        func atLineEnd(_ j: Int) -> Bool { j < n && (bytes[j] == lf || bytes[j] == cr) }
        func skipLineEnd(_ j: inout Int) {
            if bytes[j] == cr, j + 1 < n, bytes[j + 1] == lf { j += 2 } else { j += 1 }
        }

        while i < n {
            // Blank line.
            if atLineEnd(i) {
                skipLineEnd(&i)
                line += 1
                continue
            }
            // Comment line.
            if let comment, bytes[i] == comment {
                var j = i + 1
                while j < n, !atLineEnd(j) { j += 1 }
                var start = i + 1
                if start < j, bytes[start] == 0x20 { start += 1 }
                comments.append(String(decoding: bytes[start..<j], as: UTF8.self))
                i = j
                if i < n { skipLineEnd(&i) }
                line += 1
                continue
            }
            // One record.
            let recordLine = line
            var fields: [String] = []
            var endOfRecord = false
            while !endOfRecord {
                if i < n, bytes[i] == quote {
                    let fieldLine = line
                    var value: [UInt8] = []
                    i += 1
                    var closed = false
                    while i < n {
                        let byte = bytes[i]
                        if byte == quote {
                            if i + 1 < n, bytes[i + 1] == quote {
                                value.append(quote)
                                i += 2
                            } else {
                                i += 1
                                closed = true
                                break
                            }
                        } else {
                            if byte == lf || (byte == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
                            value.append(byte)
                            i += 1
                        }
                    }
                    guard closed else {
                        throw SimulatorError(
                            source: source, key: "line \(fieldLine)",
                            "unterminated quoted field (a \" opened here is never closed)")
                    }
                    fields.append(String(decoding: value, as: UTF8.self))
                    if i < n, bytes[i] != comma, !atLineEnd(i) {
                        let shown = String(decoding: bytes[i..<min(n, i + 20)], as: UTF8.self)
                        throw SimulatorError(
                            source: source, key: "line \(line)",
                            "unexpected text after a closing quote: '\(TraceText.firstLine(shown))'")
                    }
                } else {
                    let start = i
                    while i < n, bytes[i] != comma, !atLineEnd(i) { i += 1 }
                    fields.append(String(decoding: bytes[start..<i], as: UTF8.self))
                }
                if i >= n {
                    endOfRecord = true
                } else if bytes[i] == comma {
                    i += 1
                } else {
                    skipLineEnd(&i)
                    line += 1
                    endOfRecord = true
                }
            }
            records.append(Record(line: recordLine, fields: fields))
        }
        return (records, comments)
    }

    // MARK: Writing

    /// Quotes `field` when it needs it: it contains a comma, quote, CR or LF, has leading or trailing spaces,
    /// or starts with `#` (which would read back as a comment). Quotes inside are doubled.
    public static func quote(_ field: String) -> String {
        let needs =
            field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || field.hasPrefix("#") || field.hasPrefix(" ") || field.hasSuffix(" ")
        guard needs else { return field }
        return "\"" + TraceText.replacing("\"", with: "\"\"", in: field) + "\""
    }

    /// One CSV line (without the line end) from `fields`, quoting as needed.
    public static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",")
    }
}
