#!/usr/bin/env python3
"""Writes studies/surrogates/borehole.h5: the borehole function (Harper & Gupta 1983) on a scrambled Sobol design.

Datasets as a solver post-processing script would write them with h5py: /inputs (n × 8, float64, with names,
units, low/high attributes) and /outputs (n × 1, water flow in m³/yr, float64), chunked and gzip-compressed.
"""
import os
import sys

import h5py
import numpy as np
from scipy.stats import qmc

N = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
names = ["rw", "r", "Tu", "Hu", "Tl", "Hl", "L", "Kw"]
units = ["m", "m", "m2/yr", "m", "m2/yr", "m", "m", "m/yr"]
low = np.array([0.05, 100, 63070, 990, 63.1, 700, 1120, 9855])
high = np.array([0.15, 50000, 115600, 1110, 116, 820, 1680, 12045])
u = qmc.Sobol(d=8, scramble=True, seed=2026).random(N)
x = low + u * (high - low)
rw, r, Tu, Hu, Tl, Hl, L, Kw = x.T
lnr = np.log(r / rw)
flow = 2 * np.pi * Tu * (Hu - Hl) / (lnr * (1 + 2 * L * Tu / (lnr * rw ** 2 * Kw) + Tu / Tl))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "studies", "surrogates", "borehole.h5")
os.makedirs(os.path.dirname(out), exist_ok=True)
with h5py.File(out, "w") as h:
    d = h.create_dataset("inputs", data=x, chunks=(1000, 8), compression="gzip", shuffle=True)
    d.attrs["names"] = names
    d.attrs["units"] = units
    d.attrs["low"] = low
    d.attrs["high"] = high
    o = h.create_dataset("outputs", data=flow[:, None], chunks=(1000, 1), compression="gzip")
    o.attrs["names"] = ["flow"]
print(f"wrote {N} rows to {out}")
