/// Renders cross-validation rows as a table, CSV or JSON.
public enum CrossValidationReport {
    /// A text table: fold, GPU, quantity, rows, in-sample and held-out MAPE.
    public static func table(_ rows: [CrossValidation.Row]) -> String {
        var t = TextTable(
            headers: ["held-out fold", "gpu", "quantity", "rows", "in-sample MAPE", "held-out MAPE", "exact"], rightAligned: [3, 4, 5, 6])
        for r in rows {
            t.add([
                r.fold, r.gpu, r.quantity.rawValue, String(r.count), NumberText.fixed(r.inSampleMAPEPct, 1) + "%",
                NumberText.fixed(r.heldOutMAPEPct, 1) + "%", r.heldOutExact.map { "\($0)/\(r.count)" } ?? "",
            ])
        }
        return t.rendered()
    }

    /// CSV with a header line; numbers with two decimals (byte-stable).
    public static func csv(_ rows: [CrossValidation.Row]) -> String {
        var s = "fold,gpu,quantity,rows,in_sample_mape_pct,held_out_mape_pct,held_out_exact\n"
        for r in rows {
            s +=
                "\(r.fold),\(r.gpu),\(r.quantity.rawValue),\(r.count),\(NumberText.fixed(r.inSampleMAPEPct, 2)),\(NumberText.fixed(r.heldOutMAPEPct, 2)),\(r.heldOutExact.map(String.init) ?? "")\n"
        }
        return s
    }

    /// One JSON object with the rows and the calibration they start from.
    public static func json(_ rows: [CrossValidation.Row], calibration: String) -> JSONValue {
        .object([
            ("calibration", .string(calibration)),
            (
                "folds",
                .array(
                    rows.map { r in
                        .object([
                            ("fold", .string(r.fold)), ("gpu", .string(r.gpu)), ("quantity", .string(r.quantity.rawValue)),
                            ("rows", .int(r.count)), ("in_sample_mape_pct", .number(r.inSampleMAPEPct)),
                            ("held_out_mape_pct", .number(r.heldOutMAPEPct)),
                            ("held_out_exact", r.heldOutExact.map { .int($0) } ?? .null),
                        ])
                    })
            ),
        ])
    }
}
