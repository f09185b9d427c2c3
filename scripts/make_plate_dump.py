#!/usr/bin/env python3
"""Writes studies/surrogates/plate.h5 by running a real finite-element solver (scikit-fem, quadratic triangles).

The model: a 2-D cantilever plate (plane stress) of length L and height H, clamped on its left edge, loaded by a
uniform downward shear traction q on its right edge. Five parameters on a scrambled Sobol design:
  L [8, 12] mm, H [1, 2] mm, E [150, 250] GPa, nu [0.25, 0.35], q [50, 150] N/mm²
Outputs: tip deflection (mm, downward positive) and maximum von Mises stress (MPa); field /fields/uy: the vertical
displacement along the top edge at 40 equally spaced points x/L = 0 … 1 (mm).

  python3 -m venv v && v/bin/pip install scikit-fem h5py scipy && v/bin/python scripts/make_plate_dump.py [N]
"""
import os
import sys

import h5py
import numpy as np
from scipy.stats import qmc
from skfem import Basis, ElementTriP2, ElementVector, FacetBasis, LinearForm, MeshTri, asm, condense, solve
from skfem.helpers import sym_grad, trace
from skfem.models.elasticity import lame_parameters, linear_elasticity

N = int(sys.argv[1]) if len(sys.argv) > 1 else 400
names = ["L", "H", "E", "nu", "q"]
units = ["mm", "mm", "GPa", "1", "N/mm2"]
low = np.array([8.0, 1.0, 150.0, 0.25, 50.0])
high = np.array([12.0, 2.0, 250.0, 0.35, 150.0])
FIELD_POINTS = 40


def solve_plate(L, H, E_gpa, nu, q):
    mesh = MeshTri.init_tensor(np.linspace(0, L, 41), np.linspace(0, H, 7))
    element = ElementVector(ElementTriP2())
    basis = Basis(mesh, element, intorder=4)
    lam, mu = lame_parameters(E_gpa * 1e3, nu)
    lam = 2 * lam * mu / (lam + 2 * mu)  # plane stress
    K = asm(linear_elasticity(lam, mu), basis)
    right = FacetBasis(mesh, element, facets=mesh.facets_satisfying(lambda x: np.isclose(x[0], L)))

    @LinearForm
    def traction(v, w):
        return -q * v.value[1]

    f = asm(traction, right)
    clamped = basis.get_dofs(lambda x: np.isclose(x[0], 0.0))
    u = solve(*condense(K, f, D=clamped))
    (ux, bx), (uy, by) = basis.split(u)
    tip = -(by.probes(np.array([[L], [H / 2]])) @ uy)[0]
    xs = np.linspace(0, L, FIELD_POINTS)
    field = by.probes(np.vstack([xs, np.full_like(xs, H)])) @ uy
    eps = sym_grad(basis.interpolate(u))
    sigma = 2 * mu * eps + lam * trace(eps) * np.eye(2)[:, :, None, None]
    sxx, syy, sxy = sigma[0, 0], sigma[1, 1], sigma[0, 1]
    von_mises = np.sqrt(sxx ** 2 - sxx * syy + syy ** 2 + 3 * sxy ** 2)
    return tip, von_mises.max(), field


u = qmc.Sobol(d=5, scramble=True, seed=7).random(N)
x = low + u * (high - low)
outputs = np.zeros((N, 2))
fields = np.zeros((N, FIELD_POINTS))
for i, p in enumerate(x):
    tip, vm, field = solve_plate(*p)
    outputs[i] = (tip, vm)
    fields[i] = field
    if i % 50 == 0:
        print(f"{i}/{N} tip {tip:.4g} mm, max von Mises {vm:.4g} MPa", flush=True)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "studies", "surrogates", "plate.h5")
with h5py.File(out, "w") as h:
    d = h.create_dataset("inputs", data=x, chunks=(min(100, N), 5), compression="gzip", shuffle=True)
    d.attrs["names"] = names
    d.attrs["units"] = units
    d.attrs["low"] = low
    d.attrs["high"] = high
    o = h.create_dataset("outputs", data=outputs, chunks=(min(100, N), 2), compression="gzip")
    o.attrs["names"] = ["tip_deflection", "max_von_mises"]
    o.attrs["units"] = ["mm", "MPa"]
    fd = h.create_dataset("fields/uy", data=fields.astype(np.float32), chunks=(min(100, N), FIELD_POINTS), compression="gzip")
    fd.attrs["x_over_L"] = np.linspace(0, 1, FIELD_POINTS)
print(f"wrote {N} FEM runs to {out}")
