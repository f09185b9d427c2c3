#!/usr/bin/env python3
"""Reads back what doe pushed to an MLflow server with MLflow's own client (Tests/DoeCLITests/MLflowTests.swift).

  check_mlflow.py TRACKING_URI MODEL_NAME STUDY_EXPERIMENT TRIALS
Checks: the registered model's `production` alias points at a version whose run has the training params, test
metrics, the training curve (steps), tags, and the model.onnx and model_card.json artifacts (the ONNX loads and
passes onnx.checker); the study experiment holds TRIALS runs with params and objective metrics.
"""
import json
import os
import sys
import tempfile

import mlflow
from mlflow.tracking import MlflowClient

uri, model_name, study_experiment, trials = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)
version = client.get_model_version_by_alias(model_name, "production")
run = client.get_run(version.run_id)
assert run.info.status == "FINISHED", run.info.status
assert "epochs" in run.data.params and "training_data" in run.data.params, sorted(run.data.params)
test_metrics = [k for k in run.data.metrics if k.startswith("test_")]
assert test_metrics, sorted(run.data.metrics)
curve = client.get_metric_history(run.info.run_id, "train_loss")
assert len(curve) >= 2 and curve[-1].step > curve[0].step, [(m.step, m.value) for m in curve][:5]
assert run.data.tags.get("doe.model") == model_name, run.data.tags
artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
assert {"model.onnx", "model_card.json"} <= artifacts, artifacts
with tempfile.TemporaryDirectory() as tmp:
    path = client.download_artifacts(run.info.run_id, "model.onnx", tmp)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except ImportError:
        pass
    card = json.load(open(client.download_artifacts(run.info.run_id, "model_card.json", tmp)))
    assert card["name"] == model_name
print(f"registered model {model_name}: production -> version {version.version}, run {run.info.run_id}: "
      f"{len(run.data.params)} params, {len(test_metrics)} test metrics, {len(curve)}-step training curve, artifacts {sorted(artifacts)}")
experiment = client.get_experiment_by_name(study_experiment)
runs = client.search_runs([experiment.experiment_id], max_results=10000)
assert len(runs) == trials, (len(runs), trials)
completed = [r for r in runs if r.data.tags.get("doe.state") == "completed"]
assert completed and all(r.data.metrics for r in completed) and all(r.data.params for r in runs)
assert any(r.data.tags.get("doe.state") == "pending" for r in runs) or len(completed) == len(runs)
print(f"study experiment {study_experiment}: {len(runs)} runs, {len(completed)} with objective metrics")
