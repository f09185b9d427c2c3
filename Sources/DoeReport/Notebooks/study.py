# %% [markdown]
# # Study `{{name}}`
#
# Generated {{generated_at}} by doe {{doe_version}} from `{{source}}` (SHA-256 `{{sha256}}`, {{record_count}} records).
#
# The cells below read the study's append-only journal (`journal.jsonl`, one JSON record per line) with pandas, replay it into one row per trial, and redraw the plots of the HTML report with matplotlib. Re-run them after new observations: the journal is read afresh, and the notebook says what changed since it was written. The Gaussian-process quantities (slices, importance, Sobol indices) were computed by doe when the notebook was written; they are in the collapsed data cell below (`SPACE`, `DOE`), as of then.

# %%
import json, math
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from IPython.display import display

candidates = [Path({{study_path}}), Path({{absolute_study_path}})]
STUDY_DIR = next((p for p in candidates if (p / "journal.jsonl").is_file()), None)
assert STUDY_DIR is not None, f"journal.jsonl not found in any of {candidates}"
JOURNAL = STUDY_DIR / "journal.jsonl"
WRITTEN_SHA256, WRITTEN_RECORDS = "{{sha256}}", {{record_count}}

# %% [data]
# What doe computed when this notebook was written ({{generated_at}}): the space, counts, best values and the GP quantities.
SPACE = json.loads({{space_json}})
DOE = json.loads({{doe_json}})

# %%
OBJECTIVES = [o["name"] for o in SPACE["objectives"]]
CONSTRAINTS = SPACE.get("constraints", [])          # outcome constraints: metrics reported with each result
UNITS = {o["name"]: o.get("unit") for o in SPACE["objectives"]}
print(f"study {DOE['study']!r}: journal {JOURNAL}")

# %% [markdown]
# ## Replay the journal
# Each record has `op` (what happened), `ts`, `writer` and op-specific fields; the trial table is what the records add up to.

# %%
journal = pd.read_json(JOURNAL, lines=True, dtype=False, precise_float=True)

def given(x):
    return x is not None and not (isinstance(x, float) and math.isnan(x))

rows, notes, changes = {}, [], []
previous, batch_count = None, 0   # journals without a 'batch' field: consecutive suggestions by one writer form a batch
for rec in journal.to_dict("records"):
    op = rec["op"]
    prev, previous = previous, None
    if op in ("trial_suggested", "trial_imported"):
        t = {"id": int(rec["trial"]), "state": "pending", "batch": np.nan, "suggested_at": rec["ts"], "reason": None,
             "generator": rec["generator"] if given(rec.get("generator")) else ("import" if op == "trial_imported" else "unknown")}
        t.update({"param." + k: v for k, v in rec["params"].items()})
        if op == "trial_suggested":
            if given(rec.get("batch")):
                b = int(rec["batch"])
            elif prev is not None and prev[0] == rec["writer"]:
                b = prev[1]
            else:
                b = batch_count + 1
            batch_count = max(batch_count, b)
            t["batch"], previous = b, (rec["writer"], b)
        else:
            t["state"] = "completed"
            t.update({"value." + k: v for k, v in rec["values"].items()})
        rows[t["id"]] = t
    elif op == "trial_observed":
        t = rows[int(rec["trial"])]
        if t["state"] != "pending":   # a correction (observe --replace): the journal keeps both
            changes.append({"trial": t["id"], "change": "corrected", "at": rec["ts"], "by": rec["writer"],
                            "before": {k[6:]: t[k] for k in t if k.startswith("value.")}, "after": dict(rec["values"])})
        t["state"], t["reason"] = "completed", None
        t.update({"value." + k: v for k, v in rec["values"].items()})
    elif op == "trial_retracted":
        t = rows[int(rec["trial"])]
        changes.append({"trial": t["id"], "change": "retracted", "at": rec["ts"], "by": rec["writer"],
                        "before": {k[6:]: t[k] for k in t if k.startswith("value.")}, "after": None, "reason": rec["reason"]})
        t["state"], t["reason"] = "retracted", rec["reason"]
    elif op in ("trial_failed", "trial_abandoned"):
        t = rows[int(rec["trial"])]
        t["state"] = "failed" if op == "trial_failed" else "abandoned"
        t["reason"] = rec["reason"] if given(rec.get("reason")) else None
    elif op == "note":
        notes.append({"time": rec["ts"], "note": rec["text"]})

columns = (["id", "state", "generator", "batch", "suggested_at", "reason"]
           + ["param." + p["name"] for p in SPACE["parameters"]] + ["value." + o for o in OBJECTIVES]
           + ["value." + c["name"] for c in CONSTRAINTS])
trials = pd.DataFrame([rows[k] for k in sorted(rows)], columns=columns).set_index("id")
trials["batch"] = pd.to_numeric(trials["batch"])
for o in OBJECTIVES + [c["name"] for c in CONSTRAINTS]:
    trials["value." + o] = pd.to_numeric(trials["value." + o])
feasible_mask = pd.Series(True, index=trials.index)
for c in CONSTRAINTS:
    v = trials["value." + c["name"]]
    if c.get("max") is not None:
        feasible_mask &= v <= c["max"]
    if c.get("min") is not None:
        feasible_mask &= v >= c["min"]
trials["feasible"] = feasible_mask
completed = trials[trials["state"] == "completed"]
feasible = completed[completed["feasible"]]          # best values count feasible trials only
trials.tail(10)

# %% [markdown]
# ## Corrections and retractions
# Every result replaced with `doe observe --replace` or withdrawn with `doe retract`; the journal keeps each version, the trial table above holds the latest.

# %%
if changes:
    display(pd.DataFrame(changes, columns=["trial", "change", "at", "by", "before", "after", "reason"]))
else:
    print("none: every result is as first recorded")

# %% [markdown]
# ## Summary
# Counts by state and the best value per objective, checked against what doe computed from the same journal.

# %%
import hashlib
counts = trials["state"].value_counts().reindex(["pending", "completed", "failed", "abandoned", "retracted"], fill_value=0)
print(counts.to_string())
GROWN = hashlib.sha256(JOURNAL.read_bytes()).hexdigest() != WRITTEN_SHA256
if GROWN:
    # the journal changed since the notebook was written: say what, and replay it as it is now
    print(f"\nthe journal changed since this notebook was written: {WRITTEN_RECORDS} → {len(journal)} records")
    for state, n in DOE["counts"].items():
        if counts.get(state, 0) != n:
            print(f"  {state}: {n} then, {counts.get(state, 0)} now")
    print("  the tables and plots below use the journal as it is now; the GP quantities are as of when it was written "
          "(run `doe report` again to refresh them)")
else:
    for state, n in DOE["counts"].items():
        assert counts.get(state, 0) == n, f"{state}: pandas replay {counts.get(state, 0)}, doe {n}"
if CONSTRAINTS:
    print(f"feasible: {len(feasible)} of {len(completed)} completed trials")
for o in SPACE["objectives"]:
    col = "value." + o["name"]
    if feasible.empty:
        print(f"{o['name']}: no feasible observations yet" if CONSTRAINTS else f"{o['name']}: no observations yet")
        continue
    best_id = feasible[col].idxmax() if o["direction"] == "maximize" else feasible[col].idxmin()
    unit = f" {UNITS[o['name']]}" if UNITS.get(o["name"]) else ""
    print(f"best {o['name']} ({o['direction']}): {feasible.loc[best_id, col]:.6g}{unit} at trial {best_id}")
    if not GROWN and DOE["best"].get(o["name"]) is not None:
        assert math.isclose(feasible[col].max() if o["direction"] == "maximize" else feasible[col].min(),
                            DOE["best"][o["name"]], rel_tol=1e-12, abs_tol=1e-12)

# %% [markdown]
# ## Convergence
# Each completed trial (marker = how it was proposed), the best value so far, and every other suggest call shaded.

# %%
styles = {"sobol": ("o", "white", "Sobol design"), "gp": ("s", "#1b2a49", "GP suggestion"),
          "import": ("D", "#56b4e9", "imported"), "other": ("^", "0.8", "other")}
for o in SPACE["objectives"]:
    col = "value." + o["name"]
    done = completed.sort_index()
    if done.empty:
        print(f"{o['name']}: no observations yet")
        continue
    reached = done[col].where(done["feasible"])        # infeasible trials do not count as progress
    best = (reached.cummax() if o["direction"] == "maximize" else reached.cummin()).ffill()
    fig, ax = plt.subplots(figsize=(9, 4))
    for b, group in trials.dropna(subset=["batch"]).groupby("batch"):
        if int(b) % 2 == 0:
            ax.axvspan(group.index.min() - 0.5, group.index.max() + 0.5, color="0.92", lw=0)
    kind = done["generator"].map(lambda g: "gp" if str(g).startswith("gp") else (g if g in styles else "other"))
    for k, group in done.groupby(kind):
        marker, face, label = styles[k]
        ax.scatter(group.index, group[col], marker=marker, facecolors=face, edgecolors="#1b2a49", label=label, zorder=3)
    ax.step(list(done.index) + [done.index.max() + 0.5], list(best) + [best.iloc[-1]], where="post", color="#d55e00", lw=2, label="best so far")
    ax.set_xlabel("trial"); ax.set_ylabel(o["name"]); ax.set_title(f"Convergence of {o['name']} ({o['direction']})")
    ax.legend(loc="best"); ax.grid(alpha=0.3)
    plt.show()

# %% [markdown]
# ## All trials
# Parallel coordinates: one line per trial (completed and pending) through its parameters and objectives, coloured by the first objective; pending trials dashed.

# %%
shown = trials[trials["state"].isin(["completed", "pending"])]
if shown.empty:
    print("no trials yet")
else:
    names, columns_scaled = [], []
    for p in SPACE["parameters"]:
        if p["type"] == "fixed":
            continue
        v = shown["param." + p["name"]]
        if p["type"] == "categorical":
            position = v.map(lambda x: next((i for i, c in enumerate(p["choices"]) if c == x or str(c) == str(x)), np.nan)).astype(float)
            lo, hi = 0.0, max(len(p["choices"]) - 1, 1)
        elif p.get("log"):
            position, lo, hi = np.log10(v.astype(float)), math.log10(p["low"]), math.log10(p["high"])
        else:
            position, lo, hi = v.astype(float), float(p["low"]), float(p["high"])
        names.append(p["name"]); columns_scaled.append((position - lo) / ((hi - lo) or 1.0))
    for o in OBJECTIVES:
        v = shown["value." + o].astype(float)
        lo, hi = (v.min(), v.max()) if v.notna().any() else (0.0, 1.0)
        names.append(o); columns_scaled.append((v - lo) / ((hi - lo) or 1.0))
    Y = np.column_stack([c.to_numpy(dtype=float) for c in columns_scaled])
    colour = shown["value." + OBJECTIVES[0]].to_numpy(dtype=float)
    finite = np.isfinite(colour)
    norm = plt.Normalize(np.nanmin(colour), np.nanmax(colour)) if finite.any() else plt.Normalize(0, 1)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    better = 1.0 if SPACE["objectives"][0]["direction"] == "maximize" else -1.0
    for i in np.argsort(np.where(finite, better * colour, -np.inf)):   # the best drawn last, on top
        ax.plot(range(len(names)), Y[i], color=plt.cm.viridis(norm(colour[i])) if finite[i] else "0.6",
                ls="-" if finite[i] else "--", lw=1.2, alpha=0.8)
    for k in range(len(names)):
        ax.axvline(k, color="0.2", lw=1)
    ax.set_xticks(range(len(names)), names); ax.set_yticks([0, 1], ["low", "high"]); ax.set_xlim(-0.2, len(names) - 0.8)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, label=OBJECTIVES[0])
    ax.set_title("Parameters and objectives of every trial")
    plt.show()

# %% [markdown]
# ## What the Gaussian process has learned
# For each objective: the GP mean with a ±2σ band along each parameter, the others held at the best trial (computed by doe), and parameter importance from the lengthscales and from Sobol indices of the GP mean.

# %%
if not DOE["models"]:
    print("no GP yet: it needs at least 3 completed trials")
for name, m in DOE["models"].items():
    s = m["summary"]
    fmt = lambda x, spec: "n/a" if x is None else format(x, spec)
    print(f"{name}: GP {s['kernel']} kernel, {s['output_transform']} outputs, {s['observations']} trials; "
          f"leave-one-out RMSE {fmt(s['loo_rmse'], '.4g')}, R² {fmt(s['loo_r2'], '.3f')}")
    slices = m["slices"]
    ncols = min(3, len(slices)); nrows = math.ceil(len(slices) / ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3 * nrows), squeeze=False)
    for ax, sl in zip(axs.flat, slices):
        mean, lower, upper = (np.array(sl[k], dtype=float) for k in ("mean", "lower", "upper"))
        if sl["categories"]:
            x = np.arange(len(sl["categories"]))
            ax.errorbar(x, mean, yerr=[mean - lower, upper - mean], fmt="s", color="#1b2a49", ecolor="#56b4e9", elinewidth=6)
            ax.set_xticks(x, sl["categories"])
        else:
            x = np.array(sl["x"], dtype=float)
            ax.fill_between(x, lower, upper, color="#9ecae1", alpha=0.6, lw=0)
            ax.plot(x, mean, color="#1b2a49")
            if sl["log"]:
                ax.set_xscale("log")
        ax.plot([sl["best_x"]], [sl["best_value"]], "D", color="#d55e00", mec="k")
        ax.set_xlabel(sl["parameter"]); ax.set_ylabel(name)
    for ax in list(axs.flat)[len(slices):]:
        ax.axis("off")
    fig.suptitle(f"{name}: GP slices through trial {m['through_trial']}")
    fig.tight_layout()
    plt.show()
    importance = pd.DataFrame({k: v for k, v in m["importance"].items()}, index=m["parameters"]).astype(float)
    display(importance.round(4))
    importance.iloc[::-1].plot.barh(figsize=(8, 0.5 + 0.45 * len(importance) * max(1, importance.shape[1] / 2)),
                                    color=["#1b2a49", "#e69f00", "#56b4e9", "#cc79a7"][: importance.shape[1]], edgecolor="k")
    plt.xlabel("share"); plt.title(f"Parameter importance for {name}")
    plt.show()

# %% [markdown]
# ## Pending, failed and abandoned trials

# %%
display(trials[trials["state"] == "pending"])
display(trials[trials["state"].isin(["failed", "abandoned"])][["state", "reason"] + [c for c in trials.columns if c.startswith("param.")]])
if notes:
    display(pd.DataFrame(notes))
