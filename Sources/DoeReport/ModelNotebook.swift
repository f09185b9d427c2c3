import DoeDesign
import Foundation

/// The Jupyter notebook of a surrogate: loads `history.csv`, `metrics.json` and `test-predictions.csv` from the
/// model directory with pandas, checks the test metrics against the stored predictions, and redraws the curves,
/// parity plots, error histograms and calibration with matplotlib.
public enum ModelNotebook {
    /// The notebook's JSON; the cells find the model directory at `modelPathFromNotebook` (relative to the notebook)
    /// or `absoluteModelPath`.
    public static func ipynb(_ m: ModelAnalysis, provenance: ReportProvenance, modelPathFromNotebook: String,
                             absoluteModelPath: String) throws -> String {
        let values: [String: String] = [
            "name": m.name, "generated_at": provenance.generatedAt, "doe_version": provenance.doeVersion, "source": provenance.source,
            "model_path": Notebook.pythonString(modelPathFromNotebook), "absolute_model_path": Notebook.pythonString(absoluteModelPath),
        ]
        return try NotebookTemplate.named("model").notebook(values).json
    }
}
