#!/bin/bash
hosts=${CASUS_HOSTS:-host1,host2,host3,host4}
runs=${CASUS_RUNS:-5000}
n=$(tr ',' '\n' <<<"$hosts" | wc -l)
seq 0 $((n - 1)) | parallel -S "$hosts" --jobs 1 --wd . \
    "${CASUS:-casus} sweep scenarios/sweeps/nigeria_war_opposition.ron --runs $runs --shard {}/$n --out shards/{} --quiet --resume"
