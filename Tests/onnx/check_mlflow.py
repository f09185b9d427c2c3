#!/usr/bin/env python3
"""Reads back what doe pushed to an MLflow server with MLflow's own client (Tests/DoeCLITests/MLflowTests.swift).

  check_mlflow.py model TRACKING_URI MODEL_NAME INPUT_CSV EXPECTED_CSV
      the `production` alias points at a version whose run has the training params, metrics of every split, the loss
      curve, doe's tags and dataset inputs with digests, the training's own start and end, exactly one run for its
      content (a second push reuses it), and the model in MLflow's format: `mlflow.pyfunc.load_model` of
      models:/NAME@production predicts from a DataFrame (columns in another order) what `doe predict` printed
      (EXPECTED_CSV, for the rows of INPUT_CSV), and `mlflow.onnx.load_model` loads a valid ONNX graph.
  check_mlflow.py study TRACKING_URI EXPERIMENT TRIALS
      one parent run (doe.role=study, the journal's SHA-256) and exactly TRIALS child runs under it: completed trials
      FINISHED with metrics, failed ones FAILED with their reason, corrections and meta as tags.
  check_mlflow.py no-running TRACKING_URI EXPERIMENT
      no run of the experiment is left RUNNING and at least one is FAILED (a push that met an HTTP 500).
"""
import json
import sys
import tempfile

import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

mode, uri = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)


def model(name, input_csv, expected_csv):
    version = client.get_model_version_by_alias(name, "production")
    run = client.get_run(version.run_id)
    tags, params, metrics = run.data.tags, run.data.params, run.data.metrics
    assert run.info.status == "FINISHED", run.info.status
    assert "epochs" in params and "training_data" in params, sorted(params)
    for split in ("train", "validation", "test"):
        assert any(k.startswith(split + "_") for k in metrics), (split, sorted(metrics))
    curve = client.get_metric_history(run.info.run_id, "train_loss")
    assert len(curve) >= 2 and curve[-1].step > curve[0].step, [(m.step, m.value) for m in curve][:5]
    for key in ("doe.model", "doe.model_version", "doe.version", "mlflow.user", "doe.content_sha256", "doe.training_data_sha256"):
        assert tags.get(key), (key, tags)
    assert tags["doe.model"] == name and tags["doe.version"].count(".") == 2, tags
    assert "tip_deflection=mm" in tags.get("doe.output_units", ""), tags
    assert version.tags.get("doe.model_version") == tags["doe.model_version"], version.tags
    datasets = run.inputs.dataset_inputs
    assert datasets and all(d.dataset.digest for d in datasets), datasets
    assert 0 < run.info.end_time - run.info.start_time < 3_600_000, (run.info.start_time, run.info.end_time)
    same = client.search_runs([run.info.experiment_id], f"tags.`doe.content_sha256` = '{tags['doe.content_sha256']}'")
    assert len(same) == 1, f"{len(same)} runs hold the same content: pushes must be idempotent"
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "model")}
    assert {"model/MLmodel", "model/model.onnx", "model/input_example.json"} <= artifacts, artifacts

    outputs, rows = pyfunc(name, input_csv, expected_csv)
    with tempfile.TemporaryDirectory() as tmp:
        import onnx
        onnx_model = mlflow.onnx.load_model(f"models:/{name}@production", dst_path=tmp)
        onnx.checker.check_model(onnx_model, full_check=True)
    print(f"{name}@production = MLflow version {version.version}, run {run.info.run_id}: {len(params)} params, "
          f"{len(metrics)} metrics, {len(curve)}-step curve, {len(datasets)} datasets; pyfunc matches doe predict on "
          f"{rows} rows x {len(outputs)} outputs")


def pyfunc(name, input_csv, expected_csv):
    """models:/NAME@production through mlflow.pyfunc, on a DataFrame with the columns reversed, against doe predict."""
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@production")
    frame = pd.read_csv(input_csv)
    numeric = frame.select_dtypes("number").columns
    frame[numeric] = frame[numeric].astype("float64")   # MLflow refuses int64 for a double column
    predicted = loaded.predict(frame[frame.columns[::-1]])
    expected = pd.read_csv(expected_csv)
    outputs = [c for c in expected.columns if c in predicted.columns and c not in frame.columns]
    assert outputs, (list(expected.columns), list(predicted.columns))
    for column in outputs:
        scale = max(1.0, float(np.abs(expected[column]).max()))
        error = float(np.abs(predicted[column].to_numpy() - expected[column].to_numpy()).max())
        assert error <= 1e-4 * scale, (column, error, scale)
    return outputs, len(frame)


def study(experiment_name, trials):
    experiment = client.get_experiment_by_name(experiment_name)
    runs = client.search_runs([experiment.experiment_id], max_results=10000)
    parents = [r for r in runs if r.data.tags.get("doe.role") == "study"]
    assert len(parents) == 1, len(parents)
    parent = parents[0]
    assert len(parent.data.tags.get("doe.journal_sha256", "")) == 64, parent.data.tags
    children = [r for r in runs if r.data.tags.get("doe.trial")]
    assert len(children) == trials, (len(children), trials)
    assert all(r.data.tags.get("mlflow.parentRunId") == parent.info.run_id for r in children)
    by_state = {}
    for r in children:
        by_state.setdefault(r.data.tags["doe.state"], []).append(r)
    assert all(r.info.status == "FINISHED" and r.data.metrics for r in by_state["completed"])
    assert all(r.info.status == "FAILED" and r.data.tags.get("doe.reason") for r in by_state["failed"])
    assert all(r.info.status == "RUNNING" for r in by_state.get("pending", []))
    assert any(r.data.tags.get("doe.corrected") for r in children), "a corrected result is marked"
    assert any(r.data.tags.get("doe.meta.operator") for r in children), "meta is kept"
    print(f"study experiment {experiment_name}: parent {parent.info.run_id}, {len(children)} trial runs "
          f"({', '.join(f'{k}: {len(v)}' for k, v in sorted(by_state.items()))})")


def no_running(experiment_name):
    experiment = client.get_experiment_by_name(experiment_name)
    runs = client.search_runs([experiment.experiment_id], max_results=10000)
    statuses = [r.info.status for r in runs]
    assert "RUNNING" not in statuses and "FAILED" in statuses, statuses
    print(f"{experiment_name}: {statuses}")


if mode == "model":
    model(*sys.argv[3:6])
elif mode == "pyfunc":
    outputs, rows = pyfunc(*sys.argv[3:6])
    print(f"{sys.argv[3]}: pyfunc matches doe predict on {rows} rows x {len(outputs)} outputs")
elif mode == "study":
    study(sys.argv[3], int(sys.argv[4]))
elif mode == "no-running":
    no_running(sys.argv[3])
else:
    raise SystemExit(f"unknown mode {mode}")
