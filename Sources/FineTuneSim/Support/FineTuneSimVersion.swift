/// The project's version.
public enum FineTuneSimVersion {
    /// Semantic version string printed by `ftsim --version`.
    public static let string = "0.1.0"
}
