#!/usr/bin/env python3
"""Writes the small HDF5 fixtures of Tests/DoeHDF5Tests/Fixtures with h5py, the way users' scripts write dumps.

Values are closed-form so the Swift tests can check them exactly:
  inputs[i, j]  = i * 0.5 + j          outputs[i, k] = (i + 1) * 10 ** k       fields[i, p] = i + p / 100
Run with a Python that has h5py and numpy (e.g. `python3 -m venv v && v/bin/pip install h5py`).
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests/DoeHDF5Tests/Fixtures")
os.makedirs(out, exist_ok=True)


def table(n, d, k, p=0):
    i = np.arange(n)[:, None]
    x = i * 0.5 + np.arange(d)[None, :]
    y = (i + 1) * 10.0 ** np.arange(k)[None, :]
    f = i + np.arange(p)[None, :] / 100 if p else None
    return x, y, f


# float32, chunked, shuffle + gzip, vlen string attributes (h5py's default for str lists), a field dataset
x, y, f = table(50, 3, 2, 40)
with h5py.File(os.path.join(out, "chunked_gzip_f32.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x.astype(np.float32), chunks=(16, 3), compression="gzip", shuffle=True)
    dx.attrs["names"] = ["thickness", "load", "angle"]
    dx.attrs["units"] = ["mm", "kN", "deg"]
    dx.attrs["low"] = np.array([0.0, 1.0, 2.0])
    dx.attrs["high"] = np.array([24.5, 25.5, 26.5])
    dy = h.create_dataset("outputs", data=y, chunks=(8, 2), compression="gzip")
    dy.attrs["names"] = ["stress", "mass"]
    h.create_dataset("fields/uy", data=f.astype(np.float32), chunks=(10, 40), compression="gzip", compression_opts=6)

# float64, contiguous, fixed-length byte-string names, a NaN row and an Inf row, 1-D outputs
x, y, _ = table(20, 3, 1)
x[5, 1] = np.nan
y[7, 0] = np.inf
with h5py.File(os.path.join(out, "plain_f64_nan.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x)
    dx.attrs["names"] = np.array([b"thickness", b"load", b"angle"])
    h.create_dataset("outputs", data=y[:, 0])
    h["outputs"].attrs["names"] = np.array([b"stress"])

# a second part of the same table (rows 50..59), for folder concatenation
x, y, f = table(60, 3, 2, 40)
with h5py.File(os.path.join(out, "part2_f64.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x[50:])
    dx.attrs["names"] = ["thickness", "load", "angle"]
    dy = h.create_dataset("outputs", data=y[50:])
    dy.attrs["names"] = ["stress", "mass"]
    h.create_dataset("fields/uy", data=f[50:])

# the same table as chunked_gzip_f32.h5 with its input and output columns in another order, names saying so
x, y, f = table(50, 3, 2, 40)
with h5py.File(os.path.join(out, "swapped_columns.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x[:, [2, 0, 1]])
    dx.attrs["names"] = ["angle", "thickness", "load"]
    dy = h.create_dataset("outputs", data=y[:, [1, 0]])
    dy.attrs["names"] = ["mass", "stress"]
    h.create_dataset("fields/uy", data=f)

# names, units and bounds as file-root attributes (vlen str lists and fixed-length bytes), bounds as d x 2
with h5py.File(os.path.join(out, "root_attributes.h5"), "w") as h:
    h.create_dataset("inputs", data=x)
    h.create_dataset("outputs", data=y)
    h.attrs["input_names"] = ["thickness", "load", "angle"]
    h.attrs["output_names"] = np.array([b"stress", b"mass"])
    h.attrs["input_units"] = ["mm", "kN", "deg"]
    h.attrs["output_units"] = np.array([b"MPa", b"kg"])
    h.attrs["bounds"] = np.array([[0.0, 24.5], [1.0, 25.5], [2.0, 26.5]])

# dataset names that contradict the file's names
with h5py.File(os.path.join(out, "conflicting_names.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x)
    dx.attrs["names"] = ["thickness", "load", "angle"]
    h.create_dataset("outputs", data=y)
    h.attrs["input_names"] = ["load", "thickness", "angle"]

# one dataset per variable: /inputs/<name>, /outputs/<name>, units per dataset; h5py keeps no creation order by
# default, so the columns come in name order
with h5py.File(os.path.join(out, "per_variable.h5"), "w") as h:
    for j, (name, unit) in enumerate([("thickness", "mm"), ("load", "kN"), ("angle", "deg")]):
        h.create_dataset(f"inputs/{name}", data=x[:, j]).attrs["units"] = unit
    for k, name in enumerate(["stress", "mass"]):
        h.create_dataset(f"outputs/{name}", data=y[:, k])

# the same with the group tracking creation order and the file naming the input order
with h5py.File(os.path.join(out, "per_variable_ordered.h5"), "w", track_order=True) as h:
    g = h.create_group("inputs", track_order=True)
    for j, name in enumerate(["thickness", "load", "angle"]):
        g.create_dataset(name, data=x[:, j])
    g2 = h.create_group("outputs", track_order=True)
    for k, name in enumerate(["stress", "mass"]):
        g2.create_dataset(name, data=y[:, k])

# MATLAB-style: inputs stored transposed (columns x rows), outputs the right way
with h5py.File(os.path.join(out, "transposed_inputs.h5"), "w") as h:
    h.create_dataset("inputs", data=x.T)
    h.create_dataset("outputs", data=y)

# transposed with names: the names count matches the rows, not the columns
with h5py.File(os.path.join(out, "transposed_named.h5"), "w") as h:
    x5 = np.concatenate([x, x[:, :2] * 2], axis=1)[:3]
    dx = h.create_dataset("inputs", data=x5.T.copy())   # 5 x 3 (five inputs of three runs, columns x rows)
    dx.attrs["names"] = ["thickness", "load", "angle", "width", "depth"]
    h.create_dataset("outputs", data=y[:5])

# no names anywhere
with h5py.File(os.path.join(out, "unnamed.h5"), "w") as h:
    h.create_dataset("inputs", data=x)
    h.create_dataset("outputs", data=y)

# an extra input column the model does not know
x4 = np.concatenate([x, np.full((50, 1), 7.0)], axis=1)
with h5py.File(os.path.join(out, "extra_input.h5"), "w") as h:
    dx = h.create_dataset("inputs", data=x4)
    dx.attrs["names"] = ["thickness", "load", "angle", "temperature"]
    dy = h.create_dataset("outputs", data=y)
    dy.attrs["names"] = ["stress", "mass"]

# broken dumps
with h5py.File(os.path.join(out, "bad_rows.h5"), "w") as h:
    h.create_dataset("inputs", data=np.zeros((10, 3)))
    h.create_dataset("outputs", data=np.zeros((9, 2)))
with h5py.File(os.path.join(out, "bad_rank.h5"), "w") as h:
    h.create_dataset("inputs", data=np.zeros((4, 3, 2)))
    h.create_dataset("outputs", data=np.zeros((4, 2)))
with h5py.File(os.path.join(out, "bad_type.h5"), "w") as h:
    h.create_dataset("inputs", data=np.array([b"a", b"b"]))
    h.create_dataset("outputs", data=np.zeros((2, 1)))
with h5py.File(os.path.join(out, "lzf.h5"), "w") as h:
    h.create_dataset("inputs", data=np.ones((8, 2), dtype=np.float32), chunks=(4, 2), compression="lzf")
    h.create_dataset("outputs", data=np.ones((8, 1)))
print("fixtures written to", out, "with h5py", h5py.version.version, "HDF5", h5py.version.hdf5_version)
