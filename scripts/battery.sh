#!/usr/bin/env bash
# The outcome battery: a fixed set of runs (every shipped scenario at several seeds, with and
# without overrides, synthetic worlds of 10 to 1,000 states, and forks) written by one casus
# binary into a folder, with a SHA-256 listing of every file written. Two binaries are
# behaviour-identical on the battery when their listings are identical:
#
#   CASUS=old/casus scripts/battery.sh old    # writes old/*/ and old/listing.txt
#   CASUS=new/casus scripts/battery.sh new
#   diff old/listing.txt new/listing.txt      # empty: byte-identical logs and summaries
#
# The binary: $CASUS if set, else casus on PATH. Restructurings that must not change the model
# are checked this way (ARCHITECTURE.md).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: [CASUS=/path/to/casus] $0 OUTDIR" >&2; exit 2; }
install='run `cargo install --locked --path .` in the casus source folder to put casus on PATH'
if [ -n "${CASUS:-}" ]; then
  bin=$(command -v "$CASUS") || { echo "casus not found: CASUS=$CASUS is not an executable file; set CASUS=/path/to/casus, or unset CASUS and $install" >&2; exit 127; }
else
  bin=$(command -v casus) || { echo "casus not found: CASUS is not set and there is no casus on PATH; set CASUS=/path/to/casus, or $install" >&2; exit 127; }
fi
bin=$(realpath "$bin")
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out/gen"
cd "$out"
n=0
run() { # name, casus args...
  local name=$1
  shift
  "$bin" run "$@" --quiet --out "$name"
  n=$((n + 1))
}
for s in "$here"/scenarios/*.ron; do
  b=$(basename "$s" .ron)
  for seed in 1 2 3 5 8 13 21 42; do
    run "$b-s$seed" "$s" --seed "$seed"
  done
  i=0
  for sets in "NER.cohesion=0.3" "intervention.pledge_share=0.12 intervention.launch_intercept=4" \
    "reliability.base=0.4 sanctions.member_cost_weight=3 lifting.threshold=0.3" "junta.review_days=7 combat.max_rounds=5"; do
    i=$((i + 1))
    args=()
    for kv in $sets; do args+=(--set "$kv"); done
    for seed in 7 99; do
      # an override that does not apply to this scenario is refused: skip it
      if "$bin" check "$s" >/dev/null 2>&1 && "$bin" run "$s" --seed "$seed" "${args[@]}" --quiet --out "$b-o$i-s$seed" 2>/dev/null; then
        n=$((n + 1))
      fi
    done
  done
done
for states in 10 30 100 300 1000; do
  for g in 1 2; do
    "$bin" gen --states "$states" --treaties $((states / 5 + 1)) --orgs 3 --seed "$g" --out "gen/g$states-$g.ron"
    for seed in 1 2 3; do
      run "gen$states-$g-s$seed" "gen/g$states-$g.ron" --seed "$seed"
    done
  done
done
for at in d10 d30 d90; do
  "$bin" fork niger_2023-s1 --at "$at" --set NER.cohesion=0.2 --out "fork-$at" --quiet
  "$bin" fork niger_2023-s42 --at "$at" --set intervention.pledge_share=0.2 --out "fork42-$at" --quiet
  n=$((n + 2))
done
find . -type f ! -name listing.txt ! -name .casus-output -print0 | sort -z | xargs -0 sha256sum > listing.txt
echo "$n runs; $(wc -l < listing.txt) files in $out/listing.txt"
