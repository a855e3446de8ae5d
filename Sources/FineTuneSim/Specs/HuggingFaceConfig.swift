import Foundation

/// Reads a Hugging Face `config.json` into a ``ModelSpec``.
public enum HuggingFaceConfig {
    /// Loads and maps a config file.
    public static func load(file: String) throws(SimulatorError) -> ModelSpec {
        throw SimulatorError(source: file, "Hugging Face config.json reading is not available yet")
    }
}
