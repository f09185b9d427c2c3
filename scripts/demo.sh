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
