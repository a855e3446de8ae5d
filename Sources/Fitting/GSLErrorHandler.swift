import CGSL

/// Process-wide GSL set-up that every entry point of this module runs first.
enum GSLErrorHandler {
    /// Turns GSL's default error handler (which prints and aborts the process) off,
    /// exactly once per process. Swift initializes global and static `let`s lazily
    /// and thread-safely, so concurrent first calls are fine. Afterwards every GSL
    /// routine reports failures only through its return status, which callers check.
    static let disabled: Void = {
        _ = gsl_set_error_handler_off()
    }()

    /// Makes sure the default handler is off before calling into GSL.
    @inline(__always)
    static func ensureDisabled() {
        _ = disabled
    }

    /// GSL's text for a status code, for error messages.
    static func message(for status: Int32) -> String {
        guard let text = gsl_strerror(status) else { return "unknown GSL status" }
        return String(cString: text)
    }
}
