#!/usr/bin/env bash
# End-to-end demo: a 32-trial loop on the borehole function, driven exactly as a user's script would:
# suggest a batch as CSV, evaluate it (awk here; a simulator or a lab in real life), record the results.
set -euo pipefail
DOE=${1:-.build/release/doe}
STUDY=borehole-demo
DIR=studies
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$DIR/$STUDY"
"$DOE" init "$STUDY" --dir "$DIR" --space studies/borehole/space.yaml --seed 2026
start=$(date +%s.%N)
for round in $(seq 1 8); do
    "$DOE" suggest "$STUDY" --dir "$DIR" --batch 4 --format csv > "$work/batch.csv"
    awk -f examples/borehole.awk "$work/batch.csv" > "$work/results.csv"
    "$DOE" observe "$STUDY" --dir "$DIR" --results "$work/results.csv"
done
end=$(date +%s.%N)
echo
"$DOE" status "$STUDY" --dir "$DIR"
echo
awk -v s="$start" -v e="$end" 'BEGIN { printf "8 rounds of suggest + evaluate + observe in %.2f s\n", e - s }'
echo "the whole table: $DOE trials $STUDY --dir $DIR --format csv   (journal: $DIR/$STUDY/journal.jsonl)"

echo
echo "== surrogate: train a 3-member ensemble on the FEM cantilever-plate dump (scikit-fem, 400 runs) =="
MODEL=studies/surrogates/plate-demo-model
"$DOE" train studies/surrogates/plate.h5 --fields /fields/uy --hidden 64,64 --epochs 300 --batch-size 32 --ensemble 3 --out "$MODEL" --overwrite
printf 'L,H,E,nu,q\n10,1.5,200,0.3,100\n' > "$work/plate-point.csv"
echo "prediction at L=10 H=1.5 E=200 nu=0.3 q=100 (the FEM gives tip deflection 0.9015 mm, max von Mises 4336 MPa):"
"$DOE" predict "$MODEL" --input "$work/plate-point.csv" --std

echo
echo "== simulations -> surrogate -> prior -> experiments =="
echo "a simulation campaign (goal: learn) on the cheap, biased low-fidelity borehole: 40 Sobol runs, then 3 batches of 40"
echo "where the model of the flow learns most; its dump trains a network that becomes the prior of 12 experiments"
SIMS=borehole-sims-demo
EXPERIMENTS=borehole-experiments-demo
rm -rf "$DIR/$SIMS" "$DIR/$EXPERIMENTS"
"$DOE" init "$SIMS" --dir "$DIR" --space studies/borehole/simulations.yaml --seed 7 > /dev/null
for round in $(seq 1 4); do
    "$DOE" suggest "$SIMS" --dir "$DIR" --batch 40 --format csv > "$work/batch.csv"
    awk -f examples/borehole-simulation.awk "$work/batch.csv" > "$work/results.csv"
    "$DOE" observe "$SIMS" --dir "$DIR" --results "$work/results.csv"
done
"$DOE" trials "$SIMS" --dir "$DIR" --format h5 --output "$work/simulations.h5"
SIM_MODEL=studies/surrogates/borehole-sims-demo
"$DOE" train "$work/simulations.h5" --log-inputs r --hidden 64,64 --epochs 300 --ensemble 3 --out "$SIM_MODEL" --overwrite \
    2> /dev/null
"$DOE" init "$EXPERIMENTS" --dir "$DIR" --space studies/borehole/experiments.yaml --seed 2026
for round in $(seq 1 3); do
    "$DOE" suggest "$EXPERIMENTS" --dir "$DIR" --batch 4 --format csv > "$work/batch.csv"
    awk -f examples/borehole.awk "$work/batch.csv" > "$work/results.csv"
    "$DOE" observe "$EXPERIMENTS" --dir "$DIR" --results "$work/results.csv"
done
echo
"$DOE" status "$EXPERIMENTS" --dir "$DIR"
"$DOE" trials "$STUDY" --dir "$DIR" --format csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { if ($c["flow"] > all) all = $c["flow"]; if (NR <= 13 && $c["flow"] > first) first = $c["flow"] }
    END { printf "without the prior (%s above): best flow %.6g after 12 trials (its Sobol design), %.6g after 32; ", "'"$STUDY"'", first, all
          print "the true maximum is 309.58" }'

echo
echo "== reports: HTML (open in any browser) and Jupyter notebooks =="
"$DOE" report "$STUDY" --dir "$DIR" --out notebooks-exports
"$DOE" report "$MODEL" --out notebooks-exports
