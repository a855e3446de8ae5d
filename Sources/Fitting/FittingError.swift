/// An error from the Fitting module: a problem that cannot be fitted, a residual
/// function that failed, or a GSL routine that reported a failure.
///
/// Not converging within the iteration limit is *not* an error: ``NonlinearLeastSquares/fit(_:)``
/// then returns a ``LeastSquaresFit`` whose ``LeastSquaresFit/converged`` is `false`.
public struct FittingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The problem is malformed: sizes disagree, a start value or weight is not
        /// finite, a tolerance is negative, and so on. The message says which.
        case invalidProblem(String)
        /// GSL could not allocate a workspace or matrix; the message names it.
        case allocationFailed(String)
        /// The residual closure threw (the message is the thrown error's description)
        /// or changed the length of its residual array.
        case residualFailed(String)
        /// The residual closure returned a NaN or infinite value at `index`.
        case nonFiniteResidual(index: Int)
        /// A GSL routine returned the non-success `status`; the message is
        /// the routine's name and GSL's text for the status.
        case gslFailure(status: Int32, message: String)
    }

    /// What went wrong.
    public let kind: Kind

    /// Creates an error of the given kind.
    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// A malformed problem; see ``Kind/invalidProblem(_:)``.
    public static func invalidProblem(_ message: String) -> FittingError {
        FittingError(.invalidProblem(message))
    }

    /// A failed GSL allocation; see ``Kind/allocationFailed(_:)``.
    public static func allocationFailed(_ what: String) -> FittingError {
        FittingError(.allocationFailed(what))
    }

    /// A residual closure that threw; see ``Kind/residualFailed(_:)``.
    public static func residualFailed(_ message: String) -> FittingError {
        FittingError(.residualFailed(message))
    }

    /// A residual closure that produced a non-finite value; see ``Kind/nonFiniteResidual(index:)``.
    public static func nonFiniteResidual(index: Int) -> FittingError {
        FittingError(.nonFiniteResidual(index: index))
    }

    /// A GSL routine that failed; see ``Kind/gslFailure(status:message:)``.
    public static func gslFailure(status: Int32, message: String) -> FittingError {
        FittingError(.gslFailure(status: status, message: message))
    }

    /// A one-line, human-readable description of the error.
    public var description: String {
        switch kind {
        case .invalidProblem(let message):
            return "invalid least-squares problem: \(message)"
        case .allocationFailed(let what):
            return "GSL could not allocate \(what)"
        case .residualFailed(let message):
            return "residual function failed: \(message)"
        case .nonFiniteResidual(let index):
            return "residual function returned a non-finite value at index \(index)"
        case .gslFailure(let status, let message):
            return "GSL failure (status \(status)): \(message)"
        }
    }
}
