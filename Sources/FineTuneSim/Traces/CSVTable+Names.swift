extension CSVTable {
    /// A row's field in a named column (the column must exist).
    public func string(_ row: Row, _ name: String) throws(SimulatorError) -> String {
        row[try requireColumn(name)]
    }

    /// A row's number in a named column.
    public func double(_ row: Row, _ name: String) throws(SimulatorError) -> Double {
        try double(row, try requireColumn(name))
    }

    /// A row's integer in a named column.
    public func int(_ row: Row, _ name: String) throws(SimulatorError) -> Int {
        try int(row, try requireColumn(name))
    }
}
