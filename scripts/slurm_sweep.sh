#!/bin/bash
#SBATCH --job-name=casus-sweep
#SBATCH --array=0-31
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
runs=${CASUS_RUNS:-5000}
casus=${CASUS:-casus}
command -v "$casus" >/dev/null || { echo "casus not found: set CASUS=/path/to/casus, or run \`cargo install --locked --path .\` to put casus on PATH" >&2; exit 127; }
"$casus" sweep scenarios/sweeps/nigeria_war_opposition.ron --runs "$runs" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" \
    --jobs "${SLURM_CPUS_PER_TASK}" --out "shards/${SLURM_ARRAY_TASK_ID}" --quiet --resume
