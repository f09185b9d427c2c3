import DoeBase
import Foundation

/// A doe surrogate in MLflow's model format: the folder `model/` of a run's artifacts that `mlflow.pyfunc.load_model`
/// and `mlflow.onnx.load_model` read.
///
/// Files: `MLmodel` (the `onnx` flavor and a `python_function` entry), `model.onnx`, `doe_io.json` (input and output
/// names and units), `input_example.json`, `requirements.txt`, `python_env.yaml` and `code/doe_pyfunc.py`, the
/// loader the `python_function` entry names. The signature names the input columns (doubles), so `pyfunc.predict`
/// takes a pandas DataFrame whose columns are matched to the model's inputs by name (a missing one refused), and
/// returns a DataFrame with one column per output (`NAME_std` for an ensemble's
/// standard deviation, `field`/`field_std` holding each row's field as an array) — the numbers `doe predict` prints.
public struct MLflowModelFormat: Sendable {
    /// The artifact folder of the run that holds the model.
    public static let artifactPath = "model"
    /// The ONNX graph (one `inputs` tensor `[batch, d]`; outputs `outputs`, `outputs_std`, `field`, `field_std`).
    public var onnx: Data
    /// Input names in the graph's column order.
    public var inputNames: [String]
    /// Input units (`""` for none), when the training data gave them.
    public var inputUnits: [String]?
    /// Scalar output names in the graph's column order.
    public var outputNames: [String]
    /// Output units, when the training data gave them.
    public var outputUnits: [String]?
    /// A few input rows for `input_example.json`, in input order (a categorical input's level index).
    public var example: [[Double]]
    /// Categorical inputs: name → level names; the DataFrame column holds the level's name (a string column).
    public var inputLevels: [String: [String]] = [:]
    /// doe's metadata for the `metadata` section of `MLmodel` (model name, version, content hash, …).
    public var metadata: [(String, String)]
    /// Versions pinned in `requirements.txt`: onnx and onnxruntime.
    public var requirements: [String] = ["onnx>=1.16", "onnxruntime>=1.17", "numpy", "pandas"]

    /// A model with these parts.
    public init(onnx: Data, inputNames: [String], inputUnits: [String]?, outputNames: [String], outputUnits: [String]?,
                example: [[Double]], metadata: [(String, String)]) {
        self.onnx = onnx
        self.inputNames = inputNames
        self.inputUnits = inputUnits
        self.outputNames = outputNames
        self.outputUnits = outputUnits
        self.example = example
        self.metadata = metadata
    }

    /// The files, by path inside ``artifactPath``.
    public func files(createdAt: Date = Date(), uuid: UUID = UUID()) -> [(path: String, data: Data)] {
        [("MLmodel", Data(mlmodel(createdAt: createdAt, uuid: uuid).utf8)), ("model.onnx", onnx),
         ("doe_io.json", Data(io.prettySerialized.utf8)),
         ("input_example.json", Data(exampleJSON.serialized.utf8)),
         ("requirements.txt", Data((requirements.joined(separator: "\n") + "\n").utf8)),
         ("python_env.yaml", Data("python: \"3.10\"\nbuild_dependencies:\n  - pip\ndependencies:\n  - -r requirements.txt\n".utf8)),
         ("code/doe_pyfunc.py", Data(MLflowModelFormat.loader.utf8))]
    }

    var exampleJSON: JSONValue {
        let rows = example.map { row in
            JSONValue.array(zip(inputNames, row).map { name, x in
                inputLevels[name].map { levels in .string(levels[min(max(Int(x.rounded()), 0), levels.count - 1)]) } ?? .double(x)
            })
        }
        return .object([("columns", .array(inputNames.map(JSONValue.string))), ("data", .array(rows))])
    }

    var io: JSONValue {
        .object([("inputs", .array(inputNames.map(JSONValue.string))), ("outputs", .array(outputNames.map(JSONValue.string))),
                 ("input_units", inputUnits.map { .array($0.map(JSONValue.string)) } ?? .null),
                 ("levels", .object(inputNames.compactMap { name in inputLevels[name].map { (name, .array($0.map(JSONValue.string))) } })),
                 ("output_units", outputUnits.map { .array($0.map(JSONValue.string)) } ?? .null)])
    }

    /// `MLmodel` (YAML; every string JSON-quoted, which YAML reads as is).
    func mlmodel(createdAt: Date, uuid: UUID) -> String {
        func q(_ s: String) -> String { JSONValue.string(s).serialized }
        let time = DateFormatter()
        time.locale = Locale(identifier: "en_US_POSIX")
        time.timeZone = TimeZone(identifier: "UTC")
        time.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        // column-based: MLflow checks the columns by name before the loader sees them
        let signature = JSONValue.array(inputNames.map { name in
            .object([("type", .string(inputLevels[name] == nil ? "double" : "string")), ("name", .string(name)), ("required", .bool(true))])
        }).serialized
        var text = """
        artifact_path: \(q(MLflowModelFormat.artifactPath))
        flavors:
          onnx:
            code: null
            data: "model.onnx"
            providers: ["CPUExecutionProvider"]
          python_function:
            code: "code"
            data: "model.onnx"
            env:
              virtualenv: "python_env.yaml"
            loader_module: "doe_pyfunc"
        model_uuid: \(q(uuid.uuidString.replacingOccurrences(of: "-", with: "").lowercased()))
        utc_time_created: \(q(time.string(from: createdAt)))
        saved_input_example_info:
          artifact_path: "input_example.json"
          type: "dataframe"
          pandas_orient: "split"
        signature:
          inputs: \(q(signature))
          outputs: null
          params: null
        metadata:

        """
        text += "  input_names: \(q(inputNames.joined(separator: ",")))\n"
        text += "  output_names: \(q(outputNames.joined(separator: ",")))\n"
        for (key, value) in metadata { text += "  \(q(key)): \(q(value))\n" }
        return text
    }

    /// The `python_function` loader (`code/doe_pyfunc.py`).
    static let loader = """
    \"\"\"doe's pyfunc loader for an ONNX surrogate: inputs matched by name, outputs named (written by doe).\"\"\"
    import json
    import os

    import numpy as np


    class DoeOnnxModel:
        def __init__(self, path):
            import onnxruntime

            self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
            with open(os.path.join(os.path.dirname(path), "doe_io.json")) as handle:
                io = json.load(handle)
            self.input_names = io["inputs"]
            self.output_names = io["outputs"]
            self.levels = io.get("levels") or {}
            self.graph_input = self.session.get_inputs()[0].name
            self.graph_outputs = [o.name for o in self.session.get_outputs()]

        def _matrix(self, data):
            import pandas as pd

            if isinstance(data, dict):
                data = pd.DataFrame({k: np.atleast_1d(v) for k, v in data.items()})
            if isinstance(data, pd.DataFrame):
                missing = [n for n in self.input_names if n not in data.columns]
                if missing:
                    raise ValueError(f"missing input columns {missing}: the model needs {self.input_names}")
                frame = data[self.input_names].copy()
                for name, levels in self.levels.items():   # a categorical input: its level's name -> the level's index
                    unknown = sorted({str(v) for v in frame[name]} - set(levels))
                    if unknown:
                        raise ValueError(f"{name}: {unknown} not among its levels {levels}")
                    frame[name] = [levels.index(str(v)) for v in frame[name]]
                data = frame.to_numpy(dtype=np.float64)
            x = np.asarray(data, dtype=np.float64)
            if x.ndim == 1:
                x = x.reshape(1, -1)
            if x.ndim != 2 or x.shape[1] != len(self.input_names):
                raise ValueError(f"expected {len(self.input_names)} input columns {self.input_names}, got shape {x.shape}")
            if not np.all(np.isfinite(x)):
                raise ValueError("inputs must be finite (NaN or infinity found)")
            return x.astype(np.float32)

        def predict(self, data, params=None):
            import pandas as pd

            results = dict(zip(self.graph_outputs, self.session.run(None, {self.graph_input: self._matrix(data)})))
            columns = {}
            for j, name in enumerate(self.output_names):
                columns[name] = results["outputs"][:, j].astype(np.float64)
                if "outputs_std" in results:
                    columns[name + "_std"] = results["outputs_std"][:, j].astype(np.float64)
            for field in ("field", "field_std"):
                if field in results:
                    columns[field] = list(results[field].astype(np.float64))
            return pd.DataFrame(columns)


    def _load_pyfunc(path):
        return DoeOnnxModel(path)

    """
}
