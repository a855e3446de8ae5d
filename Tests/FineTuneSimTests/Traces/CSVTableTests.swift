import XCTest

@testable import FineTuneSim

final class CSVTableTests: XCTestCase {
    func testQuotedCommasDoubledQuotesAndEmbeddedNewlines() throws {
        let text = "name,value,note\r\n\"a, b\",1,\"say \"\"hi\"\"\"\r\n\"multi\nline\",2,plain\n"
        let table = try CSVTable(text: text, source: "t.csv")
        XCTAssertEqual(table.header, ["name", "value", "note"])
        XCTAssertEqual(table.rows.count, 2)
        XCTAssertEqual(table.rows[0].fields, ["a, b", "1", "say \"hi\""])
        XCTAssertEqual(table.rows[1].fields, ["multi\nline", "2", "plain"])
        XCTAssertEqual(table.rows[0].line, 2)
        XCTAssertEqual(table.rows[1].line, 3)
        XCTAssertEqual(table.rows[1].number, 2)
    }

    func testLineNumbersCountEmbeddedNewlinesCommentsAndBlankLines() throws {
        let text = "# source: x\n# steps: 3\nname,v\n\n\"two\nlines\",1\nlast,2\n"
        let table = try CSVTable(text: text, source: "t.csv")
        XCTAssertEqual(table.comments, ["source: x", "steps: 3"])
        XCTAssertEqual(table.headerLine, 3)
        XCTAssertEqual(table.rows.map(\.line), [5, 7])
        XCTAssertEqual(table.rows[1].fields, ["last", "2"])
    }

    func testEmptyFieldsTrailingCommaNoFinalNewlineAndBOM() throws {
        let table = try CSVTable(text: "\u{FEFF}a,b,c\n1,,\n,2", source: "t.csv")
        XCTAssertEqual(table.header, ["a", "b", "c"])
        XCTAssertEqual(table.rows.map(\.fields), [["1", "", ""], ["", "2"]])
        XCTAssertEqual(table.rows[1][2], "", "short rows read as empty")
    }

    func testHeaderLookupIsTrimmedAndCaseInsensitive() throws {
        let table = try CSVTable(text: " Name ,Total Time (ns)\nk,5\n", source: "t.csv")
        XCTAssertEqual(table.columnIndex("name"), 0)
        XCTAssertEqual(table.columnIndex("total time (ns)"), 1)
        XCTAssertNil(table.columnIndex("Instances"))
        XCTAssertEqual(try table.double(table.rows[0], 1), 5)
    }

    func testHeaderPredicateSkipsPreamble() throws {
        let table = try CSVTable(text: "log line one\nlog, two\nname,x\nk,1\n", source: "t.csv") { $0.first == "name" }
        XCTAssertEqual(table.preamble.count, 2)
        XCTAssertEqual(table.header, ["name", "x"])
        XCTAssertEqual(table.rows.count, 1)
    }

    func testMissingColumnIsNamed() throws {
        let table = try CSVTable(text: "a,b\n1,2\n", source: "t.csv")
        assertSimulatorError(
            try table.requireColumn("Instances"), source: "t.csv", key: "Instances",
            contains: ["missing required column 'Instances'", "'a', 'b'"])
    }

    func testNonNumericValueNamesRowLineAndColumn() throws {
        let table = try CSVTable(text: "name,calls\nk,1\nj,lots\n", source: "t.csv")
        XCTAssertEqual(try table.int(table.rows[0], 1), 1)
        assertSimulatorError(
            try table.int(table.rows[1], 1), source: "t.csv", key: "calls",
            contains: ["row 2", "line 3", "'lots'"])
        assertSimulatorError(
            try table.double(table.rows[1], 1), source: "t.csv", key: "calls",
            contains: ["not a number: 'lots'"])
    }

    func testNumberParsingIsStrictAndLocaleIndependent() {
        XCTAssertEqual(CSVTable.parseNumber(" 1.5e3 "), 1500)
        XCTAssertEqual(CSVTable.parseNumber("3,642,496"), 3_642_496)
        XCTAssertEqual(CSVTable.parseNumber("-2.25"), -2.25)
        XCTAssertNil(CSVTable.parseNumber("1,5"))
        XCTAssertNil(CSVTable.parseNumber("nan"))
        XCTAssertNil(CSVTable.parseNumber("inf"))
        XCTAssertNil(CSVTable.parseNumber("0x10"))
        XCTAssertNil(CSVTable.parseNumber(""))
        XCTAssertNil(CSVTable.parseNumber("12abc"))
    }

    func testUnterminatedQuoteAndTextAfterQuoteAreErrors() {
        assertSimulatorError(
            try CSVTable(text: "a,b\n\"open,1\n2,3\n", source: "t.csv"), source: "t.csv",
            key: "line 2", contains: ["unterminated quoted field"])
        assertSimulatorError(
            try CSVTable(text: "a,b\n\"x\"y,1\n", source: "t.csv"), source: "t.csv",
            key: "line 2", contains: ["after a closing quote", "y,1"])
    }

    func testWriterQuotesOnlyWhenNeededAndRoundTrips() throws {
        let fields = ["plain", "with, comma", "with \"quote\"", "two\nlines", "#hash", " padded", ""]
        let line = CSVTable.line(fields)
        XCTAssertEqual(line, "plain,\"with, comma\",\"with \"\"quote\"\"\",\"two\nlines\",\"#hash\",\" padded\",")
        let table = try CSVTable(
            text: "# c\n" + CSVTable.line(["h1", "h2", "h3", "h4", "h5", "h6", "h7"]) + "\n" + line + "\n",
            source: "t.csv")
        XCTAssertEqual(table.rows.count, 1)
        XCTAssertEqual(table.rows[0].fields, fields)
    }

    func testEmptyText() throws {
        let table = try CSVTable(text: "", source: "t.csv")
        XCTAssertEqual(table.header, [])
        XCTAssertEqual(table.rows, [])
        assertSimulatorError(try table.requireColumn("Name"), source: "t.csv", key: "Name", contains: ["no header row"])
    }
}
