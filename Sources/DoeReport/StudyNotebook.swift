import DoeBase
import DoeDesign
import DoeStudy
import Foundation

/// The Jupyter notebook of a study: its cells load the journal with pandas, replay it into a trial table, check
/// the replay against doe's (counts and best values), and redraw the report's plots with matplotlib. The GP
/// quantities (slices, importance, Sobol indices) are computed by doe and embedded as data.
public enum StudyNotebook {
    /// The notebook as `.ipynb` JSON text.
    ///
    /// - Parameters:
    ///   - studyPathFromNotebook: the study directory relative to where the notebook is written (tried first).
    ///   - absoluteStudyPath: the study directory as an absolute path (tried second).
    public static func ipynb(_ a: StudyAnalysis, provenance: ReportProvenance, studyPathFromNotebook: String,
                             absoluteStudyPath: String) -> String {
        var nb = Notebook()
        titleSection(a, provenance: provenance, notebook: &nb)
        setupSection(a, studyPathFromNotebook: studyPathFromNotebook, absoluteStudyPath: absoluteStudyPath, notebook: &nb)
        replaySection(notebook: &nb)
        summarySection(notebook: &nb)
        convergenceSection(notebook: &nb)
        parallelSection(notebook: &nb)
        modelSection(notebook: &nb)
        pendingSection(notebook: &nb)
        return nb.json
    }

    // MARK: - Sections

    /// Writes the title cell: the study's name, provenance and what the notebook does.
    private static func titleSection(_ a: StudyAnalysis, provenance: ReportProvenance, notebook nb: inout Notebook) {
        nb.markdown("""
        # Study `\(a.name)`

        Generated \(provenance.generatedAt) by doe \(provenance.doeVersion) from `\(provenance.source)` (SHA-256 `\(provenance.sha256)`, \
        \(a.state.recordCount) records).

        The cells below read the study's append-only journal (`journal.jsonl`, one JSON record per line) with pandas, replay it into one \
        row per trial, and redraw the plots of the HTML report with matplotlib. Re-run them after new observations: the journal is read \
        afresh. The Gaussian-process quantities (slices, importance, Sobol indices) were computed by doe when the notebook was written \
        and are embedded in `DOE` below.
        """)
    }

    /// Writes the setup cell: imports, locating the study directory, and the embedded `SPACE` and `DOE` data.
    private static func setupSection(_ a: StudyAnalysis, studyPathFromNotebook: String, absoluteStudyPath: String,
                                     notebook nb: inout Notebook) {
        nb.code("""
        import json, math
        from pathlib import Path

        import numpy as np
        import pandas as pd
        import matplotlib.pyplot as plt
        from IPython.display import display

        candidates = [Path(\(Notebook.pythonString(studyPathFromNotebook))), Path(\(Notebook.pythonString(absoluteStudyPath)))]
        STUDY_DIR = next((p for p in candidates if (p / "journal.jsonl").is_file()), None)
        assert STUDY_DIR is not None, f"journal.jsonl not found in any of {candidates}"
        JOURNAL = STUDY_DIR / "journal.jsonl"
        SPACE = json.loads(\(Notebook.pythonString(spaceJSON(a.space).prettySerialized)))
        DOE = json.loads(\(Notebook.pythonString(doeJSON(a).prettySerialized)))
        OBJECTIVES = [o["name"] for o in SPACE["objectives"]]
        print(f"study {DOE['study']!r}: journal {JOURNAL}")
        """)
    }

    /// Writes the "Replay the journal" section: reading `journal.jsonl` with pandas into the trial table.
    private static func replaySection(notebook nb: inout Notebook) {
        nb.markdown("## Replay the journal\nEach record has `op` (what happened), `ts`, `writer` and op-specific fields; "
            + "the trial table is what the records add up to.")
        nb.code("""
        journal = pd.read_json(JOURNAL, lines=True, dtype=False, precise_float=True)

        def given(x):
            return x is not None and not (isinstance(x, float) and math.isnan(x))

        rows, notes = {}, []
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
                t["state"], t["reason"] = "completed", None
                t.update({"value." + k: v for k, v in rec["values"].items()})
            elif op in ("trial_failed", "trial_abandoned"):
                t = rows[int(rec["trial"])]
                t["state"] = "failed" if op == "trial_failed" else "abandoned"
                t["reason"] = rec["reason"] if given(rec.get("reason")) else None
            elif op == "note":
                notes.append({"time": rec["ts"], "note": rec["text"]})

        columns = (["id", "state", "generator", "batch", "suggested_at", "reason"]
                   + ["param." + p["name"] for p in SPACE["parameters"]] + ["value." + o for o in OBJECTIVES])
        trials = pd.DataFrame([rows[k] for k in sorted(rows)], columns=columns).set_index("id")
        trials["batch"] = pd.to_numeric(trials["batch"])
        for o in OBJECTIVES:
            trials["value." + o] = pd.to_numeric(trials["value." + o])
        completed = trials[trials["state"] == "completed"]
        trials.tail(10)
        """)
    }

    /// Writes the "Summary" section: counts by state and best values, checked against doe's.
    private static func summarySection(notebook nb: inout Notebook) {
        nb.markdown("## Summary\nCounts by state and the best value per objective, "
            + "checked against what doe computed from the same journal.")
        nb.code("""
        counts = trials["state"].value_counts().reindex(["pending", "completed", "failed", "abandoned"], fill_value=0)
        print(counts.to_string())
        for state, n in DOE["counts"].items():
            assert counts[state] == n, f"{state}: pandas replay {counts[state]}, doe {n} (the journal changed since the notebook was \
        written?)"
        for o in SPACE["objectives"]:
            col = "value." + o["name"]
            if completed.empty:
                print(f"{o['name']}: no observations yet")
                continue
            best_id = completed[col].idxmax() if o["direction"] == "maximize" else completed[col].idxmin()
            print(f"best {o['name']} ({o['direction']}): {completed.loc[best_id, col]:.6g} at trial {best_id}")
            if DOE["best"].get(o["name"]) is not None:
                assert math.isclose(completed[col].max() if o["direction"] == "maximize" else completed[col].min(),
                                    DOE["best"][o["name"]], rel_tol=1e-12, abs_tol=1e-12)
        """)
    }

    /// Writes the "Convergence" section: the convergence plot of each objective.
    private static func convergenceSection(notebook nb: inout Notebook) {
        nb.markdown("## Convergence\nEach completed trial (marker = how it was proposed), the best value so far, "
            + "and every other suggest call shaded.")
        nb.code("""
        styles = {"sobol": ("o", "white", "Sobol design"), "gp": ("s", "#1b2a49", "GP suggestion"),
                  "import": ("D", "#56b4e9", "imported"), "other": ("^", "0.8", "other")}
        for o in SPACE["objectives"]:
            col = "value." + o["name"]
            done = completed.sort_index()
            if done.empty:
                print(f"{o['name']}: no observations yet")
                continue
            best = done[col].cummax() if o["direction"] == "maximize" else done[col].cummin()
            fig, ax = plt.subplots(figsize=(9, 4))
            for b, group in trials.dropna(subset=["batch"]).groupby("batch"):
                if int(b) % 2 == 0:
                    ax.axvspan(group.index.min() - 0.5, group.index.max() + 0.5, color="0.92", lw=0)
            kind = done["generator"].map(lambda g: "gp" if str(g).startswith("gp") else (g if g in styles else "other"))
            for k, group in done.groupby(kind):
                marker, face, label = styles[k]
                ax.scatter(group.index, group[col], marker=marker, facecolors=face, edgecolors="#1b2a49", label=label, zorder=3)
            ax.step(list(done.index) + [done.index.max() + 0.5], list(best) + [best.iloc[-1]], where="post", color="#d55e00", lw=2, \
        label="best so far")
            ax.set_xlabel("trial"); ax.set_ylabel(o["name"]); ax.set_title(f"Convergence of {o['name']} ({o['direction']})")
            ax.legend(loc="best"); ax.grid(alpha=0.3)
            plt.show()
        """)
    }

    /// Writes the "All trials" section: the parallel-coordinates plot.
    private static func parallelSection(notebook nb: inout Notebook) {
        nb.markdown("## All trials\nParallel coordinates: one line per trial (completed and pending) through its parameters "
            + "and objectives, coloured by the first objective; pending trials dashed.")
        nb.code("""
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
                    position = v.map(lambda x: next((i for i, c in enumerate(p["choices"]) if c == x or str(c) == str(x)), \
        np.nan)).astype(float)
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
        """)
    }

    /// Writes the "What the Gaussian process has learned" section: GP slices and parameter importance per objective.
    private static func modelSection(notebook nb: inout Notebook) {
        nb.markdown("## What the Gaussian process has learned\nFor each objective: the GP mean with a ±2σ band along each parameter, "
            + "the others held at the best trial (computed by doe), "
            + "and parameter importance from the lengthscales and from Sobol indices of the GP mean.")
        nb.code("""
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
        """)
    }

    /// Writes the "Pending, failed and abandoned trials" section: their tables and the notes.
    private static func pendingSection(notebook nb: inout Notebook) {
        nb.markdown("## Pending, failed and abandoned trials")
        nb.code("""
        display(trials[trials["state"] == "pending"])
        display(trials[trials["state"].isin(["failed", "abandoned"])][["state", "reason"] + [c for c in trials.columns if \
        c.startswith("param.")]])
        if notes:
            display(pd.DataFrame(notes))
        """)
    }

    /// The space as the notebook needs it.
    static func spaceJSON(_ space: DesignSpace) -> JSONValue {
        .object([
            ("parameters", .array(space.parameters.map { p in
                var m: [(String, JSONValue)] = [("name", .string(p.name))]
                switch p.domain {
                case let .real(low, high, log): m += [("type", "real"), ("low", .double(low)), ("high", .double(high)), ("log", .bool(log))]
                case let .integer(low, high): m += [("type", "integer"), ("low", .int(low)), ("high", .int(high))]
                case let .categorical(choices): m += [("type", "categorical"), ("choices", .array(choices.map(\.json)))]
                case let .fixed(v): m += [("type", "fixed"), ("value", v.json)]
                }
                if let unit = p.unit { m.append(("unit", .string(unit))) }
                return .object(m)
            })),
            ("objectives", .array(space.objectives.map {
                .object([("name", .string($0.name)), ("direction", .string($0.direction.rawValue))])
            })),
        ])
    }

    /// What doe computed, for the notebook's checks and GP plots.
    static func doeJSON(_ a: StudyAnalysis) -> JSONValue {
        func number(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
        func numbers(_ xs: [Double]) -> JSONValue { .array(xs.map(number)) }
        var best: [(String, JSONValue)] = []
        for view in a.objectives {
            best.append((view.objective.name, view.bestSoFar.last.map(number) ?? .null))
        }
        var models: [(String, JSONValue)] = []
        for view in a.objectives {
            guard let m = view.model else { continue }
            let varied = a.space.parameters.enumerated().filter { $0.element.isVaried }
            var importance: [(String, JSONValue)] = [("lengthscale importance",
                                                      numbers(varied.map { m.summary.importance[$0.offset] ?? .nan }))]
            if let s = m.sensitivity {
                importance.append(("Sobol first-order (GP mean)", numbers(s.firstOrder)))
                importance.append(("Sobol total (GP mean)", numbers(s.total)))
            }
            if let s = view.surrogateSensitivity { importance.append(("Sobol total (neural surrogate)", numbers(s.total))) }
            models.append((view.objective.name, .object([
                ("summary", .object([("kernel", .string(m.summary.kernel.rawValue)),
                                     ("output_transform", .string(m.summary.outputTransform.rawValue)),
                                     ("observations", .int(m.summary.observations)), ("loo_rmse", number(m.summary.looRMSE)),
                                     ("loo_r2", number(m.summary.looR2)), ("noise_std", number(m.summary.noiseStd))])),
                ("through_trial", .int(m.throughTrial)),
                ("parameters", .array(varied.map { .string($0.element.name) })),
                ("importance", .object(importance)),
                ("slices", .array(m.slices.map { s in
                    .object([("parameter", .string(s.parameter.name)), ("x", numbers(s.x)),
                             ("categories", s.categories.map { .array($0.map { .string($0) }) } ?? .null),
                             ("log", .bool(s.logarithmic)), ("mean", numbers(s.mean)), ("lower", numbers(s.lower)),
                             ("upper", numbers(s.upper)),
                             ("best_x", number(s.bestX)), ("best_value", number(s.bestValue))])
                })),
            ])))
        }
        let counts = TrialState.allCases.map { ($0.rawValue, JSONValue.int(a.summary.counts[$0] ?? 0)) }
        return .object([("study", .string(a.name)), ("counts", .object(counts)), ("best", .object(best)),
                        ("batches", .int(a.batches.count)), ("models", .object(models))])
    }
}
