#!/usr/bin/env python3
"""Checks an ONNX file written by `doe export` against `doe predict` (run by Tests/DoeCLITests/ONNXTests.swift).

  check_onnx.py MODEL.onnx POINTS.csv PREDICTIONS.json [--split-inputs]

1. onnx.checker.check_model(full_check=True) passes;
2. onnxruntime's outputs on the points match doe's predictions within 1e-5 of each output's scale (the standard
   deviation of doe's predictions of that column over the points; the field uses the whole field's sd);
3. a batch of 1 and a batch of 10 000 run;
4. the metadata reads back (doe_version, parameter_names, output_names).
Prints one line per check; exits 1 on the first failure.
"""
import csv
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

path, points_csv, predictions_json = sys.argv[1:4]
split = "--split-inputs" in sys.argv
model = onnx.load(path)
onnx.checker.check_model(model, full_check=True)
print("check_model(full_check=True): ok")
meta = {p.key: p.value for p in model.metadata_props}
for key in ("doe_version", "parameter_names", "output_names", "training_data_sha256", "metrics"):
    assert key in meta, f"metadata '{key}' missing: {sorted(meta)}"
names = meta["parameter_names"].split(",")
print("metadata: ok", {k: meta[k][:60] for k in ("doe_version", "parameter_names", "output_names")})

with open(points_csv) as f:
    rows = list(csv.DictReader(f))
x = np.array([[float(r[n]) for n in names] for r in rows], dtype=np.float32)
session = ort.InferenceSession(path)


def run(batch):
    feeds = {n: batch[:, j:j + 1] for j, n in enumerate(names)} if split else {"inputs": batch}
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))


got = run(x)
expected = json.load(open(predictions_json))["predictions"]
output_names = meta["output_names"].split(",")
worst = 0.0
for j, name in enumerate(output_names):
    ref = np.array([p[name] for p in expected], dtype=np.float64)
    scale = ref.std() or 1.0
    err = np.abs(got["outputs"][:, j] - ref).max() / scale
    worst = max(worst, err)
    assert err <= 1e-5, f"output {name}: max error {err:.3g} of its scale"
    if "outputs_std" in got:
        ref_std = np.array([p[name + "_std"] for p in expected])
        err_std = np.abs(got["outputs_std"][:, j] - ref_std).max() / scale
        worst = max(worst, err_std)
        assert err_std <= 1e-5, f"output {name}_std: max error {err_std:.3g} of the scale"
if "field" in got:
    width = got["field"].shape[1]
    ref = np.array([[p[f"field_{k}"] for k in range(width)] for p in expected])
    scale = ref.std() or 1.0
    err = np.abs(got["field"] - ref).max() / scale
    worst = max(worst, err)
    assert err <= 1e-5, f"field: max error {err:.3g} of its scale"
print(f"onnxruntime vs doe predict on {len(x)} points: max error {worst:.2e} of the output scale (limit 1e-5)")

one = run(x[:1])
big = run(np.repeat(x, 10_000 // len(x) + 1, axis=0)[:10_000])
assert one["outputs"].shape[0] == 1 and big["outputs"].shape[0] == 10_000
print("batch of 1 and batch of 10 000: ok")
