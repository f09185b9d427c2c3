# %% [markdown]
# # Surrogate `{{name}}`
#
# Generated {{generated_at}} by doe {{doe_version}} from `{{source}}`. The cells read the model directory's `history.csv`, `metrics.json` and `test-predictions.csv` (the held-out test split with the model's predictions) with pandas and plot them with matplotlib.

# %%
import json, math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from IPython.display import display

candidates = [Path({{model_path}}), Path({{absolute_model_path}})]
MODEL_DIR = next((p for p in candidates if (p / "model.json").is_file()), None)
assert MODEL_DIR is not None, f"model.json not found in any of {candidates}"
card = json.loads((MODEL_DIR / "model.json").read_text())
OUTPUTS = card["output_names"]
print(f"model {MODEL_DIR}: inputs {card['input_names']}, outputs {OUTPUTS}, ensemble of {card['ensemble']}")

# %% [markdown]
# ## Training and validation curves

# %%
history_path = MODEL_DIR / "history.csv"
if history_path.is_file():
    history = pd.read_csv(history_path)
    fig, ax = plt.subplots(figsize=(9, 4))
    for k, (member, curve) in enumerate(history.groupby("member")):
        colour = f"C{k}"
        ax.plot(curve["epoch"], curve["train_loss"], color=colour, label=f"member {member + 1} training")
        ax.plot(curve["epoch"], curve["validation_loss"], color=colour, ls="--", label=f"member {member + 1} validation")
    ax.set_yscale("log"); ax.set_xlabel("epoch"); ax.set_ylabel("loss (standardized MSE)"); ax.legend(fontsize=8); ax.grid(alpha=0.3)
    plt.show()
else:
    print("no history.csv")

# %% [markdown]
# ## Test split
# Metrics recomputed from the stored predictions and checked against `metrics.json`.

# %%
test_path = MODEL_DIR / "test-predictions.csv"
metrics_path = MODEL_DIR / "metrics.json"
test = pd.read_csv(test_path) if test_path.is_file() else None
metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else None
if test is None:
    print("no test-predictions.csv (retrain with this doe to get one)")
else:
    rows = []
    for o in OUTPUTS:
        error = test[o + "_pred"] - test[o]
        rmse = float(np.sqrt(np.mean(error ** 2)))
        r2 = 1 - float(np.sum(error ** 2) / np.sum((test[o] - test[o].mean()) ** 2))
        rows.append({"output": o, "rmse": rmse, "r2": r2, "max_abs_error": float(error.abs().max())})
        if metrics is not None and o in metrics.get("test", {}):
            assert math.isclose(rmse, metrics["test"][o]["rmse"], rel_tol=1e-3, abs_tol=1e-9), (o, rmse, metrics["test"][o]["rmse"])
    display(pd.DataFrame(rows).set_index("output"))

# %%
if test is not None:
    fig, axs = plt.subplots(len(OUTPUTS), 2, figsize=(10, 4 * len(OUTPUTS)), squeeze=False)
    for (ax, hist_ax), o in zip(axs, OUTPUTS):
        lo, hi = min(test[o].min(), test[o + "_pred"].min()), max(test[o].max(), test[o + "_pred"].max())
        ax.plot([lo, hi], [lo, hi], color="0.5", ls="--", lw=1)
        if o + "_std" in test:
            ax.errorbar(test[o], test[o + "_pred"], yerr=2 * test[o + "_std"], fmt="none", ecolor="#9ecae1", lw=1)
        ax.scatter(test[o], test[o + "_pred"], s=14, color="#56b4e9", edgecolors="#1b2a49", zorder=3)
        ax.set_xlabel(f"true {o}"); ax.set_ylabel(f"predicted {o}"); ax.set_title(f"{o}: predicted vs true"); ax.set_aspect("equal", "box")
        hist_ax.hist(test[o + "_pred"] - test[o], bins=min(30, max(8, len(test) // 5)), color="#56b4e9", edgecolor="#1b2a49")
        hist_ax.set_xlabel("predicted − true"); hist_ax.set_ylabel("test rows"); hist_ax.set_title(f"{o}: prediction error")
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## Calibration of the ensemble's intervals
# Fraction of test rows inside `mean ± z·std` against the nominal coverage (ensembles only).

# %%
if test is not None and all(o + "_std" in test for o in OUTPUTS):
    nominal = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99])
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], color="0.5", ls="--", label="ideal")
    for k, o in enumerate(OUTPUTS):
        z = np.array([NormalDist().inv_cdf(0.5 + c / 2) for c in nominal])
        inside = np.abs(test[o].to_numpy()[:, None] - test[o + "_pred"].to_numpy()[:, None]) <= z[None, :] * test[o + "_std"].to_numpy()[:, None]
        ax.plot(nominal, inside.mean(axis=0), marker="osd^x"[k % 5], label=o)
    ax.set_xlabel("nominal coverage"); ax.set_ylabel("observed coverage"); ax.legend(); ax.grid(alpha=0.3)
    plt.show()
else:
    print("a single network has no intervals: train with --ensemble 5")
