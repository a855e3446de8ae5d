import FineTuneSim
import Foundation

/// Writes a text file for an output flag; a failure is a one-line ``SimulatorError`` naming the flag and path.
func writeOutput(_ text: String, to path: String, flag: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw SimulatorError(source: flag, "cannot write '\(path)': \(reason(error))")
    }
}

/// A short reason for a file-system error.
func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain,
        let code = POSIXErrorCode(rawValue: Int32(u.code))
    {
        return String(cString: strerror(code.rawValue))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    return ns.localizedDescription.replacingOccurrences(of: "\n", with: " ")
}
