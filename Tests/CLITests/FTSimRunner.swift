import Foundation

/// Runs the `ftsim` binary built by `swift build --build-tests` from the package root.
enum FTSimRunner {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Exit status, standard output and standard error of one run.
    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = root.appendingPathComponent(".build/debug/ftsim")
        p.arguments = args
        p.currentDirectoryURL = root
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        // Read both pipes before waiting, so a large output cannot block the child.
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
