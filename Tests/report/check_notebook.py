"""Validate a doe notebook with nbformat and execute it end to end with `jupyter nbconvert --execute`.

Prints one JSON object (cells, images, errors, stream text) and exits 1 if validation or execution fails, a cell
raised, or fewer than --min-images figures were drawn.

usage: check_notebook.py NOTEBOOK.ipynb [--min-images N]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import nbformat


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("--min-images", type=int, default=0)
    args = parser.parse_args()
    failures = []
    notebook = nbformat.read(args.notebook, as_version=4)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        failures.append(f"nbformat.validate: {error.message}")
    report = {"nbformat": f"{notebook.nbformat}.{notebook.nbformat_minor}", "cells": len(notebook.cells)}
    with tempfile.TemporaryDirectory() as scratch:
        executed = pathlib.Path(scratch) / "executed.ipynb"
        jupyter = pathlib.Path(sys.executable).parent / "jupyter"
        # nbconvert runs the notebook from its own directory, so its relative paths are tested as users meet them
        run = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                              "--output", str(executed), args.notebook], capture_output=True, text=True)
        report["nbconvert_status"] = run.returncode
        if run.returncode != 0:
            failures.append("nbconvert --execute failed: " + run.stderr[-2000:])
        else:
            result = nbformat.read(executed, as_version=4)
            images, errors, text = 0, [], []
            for cell in result.cells:
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "error":
                        errors.append(f"{output['ename']}: {output['evalue']}")
                    if "image/png" in output.get("data", {}):
                        images += 1
                    if output.get("output_type") == "stream":
                        text.append(output.get("text", ""))
            report.update(images=images, errors=errors, stream="".join(text)[-3000:])
            if errors:
                failures.append(f"cells raised: {errors}")
            if images < args.min_images:
                failures.append(f"{images} figures drawn, expected at least {args.min_images}")
    report["failures"] = failures
    print(json.dumps(report))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
