#!/usr/bin/env bash
# Measures the uRNN's BPTT step time in LatentFlow, both recurrence designs
# (UnitaryEvolutionRnnBench step-design FACTOR_LOOPS and DENSE_MATRIX), and in PyTorch eager
# (urnn_bench.py) side by side, one configuration after the other so that all three see the same
# machine load, each in its own process under /usr/bin/time for the peak RSS.
#
# Usage: [THREADS=N] compare_with_pytorch.sh CLASSPATH_FILE [PYTHON [HIDDEN...]]
#   CLASSPATH_FILE holds core's test class path (target/test-classes, target/classes, jars).
#   HIDDEN defaults to 128 512.
#   THREADS=N above 1 runs, per configuration, the factor loops with a batch's examples on 1 and
#   on N threads (step-threads) and PyTorch with 1 and N intra-op threads, and leaves the dense
#   design out; compare their wall times.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath="$(cat "$1")"
python="${2:-/usr/bin/python3}"
if (( $# > 2 )); then
    hiddens=("${@:3}")
else
    hiddens=(128 512)
fi

threads="${THREADS:-1}"
echo "load before: $(uptime)"
for hidden in "${hiddens[@]}"; do
    for length in 100 500 1000; do
        if (( threads > 1 )); then
            for count in 1 "$threads"; do
                OMP_NUM_THREADS=1 /usr/bin/time -f "  java peak RSS %M KB, %e s wall" \
                    java -Xmx4g -cp "$classpath" \
                    io.latentflow.core.recurrent.UnitaryEvolutionRnnBench \
                    step-threads "$count" "$hidden" "$length"
                OMP_NUM_THREADS="$count" /usr/bin/time -f "  python peak RSS %M KB, %e s wall" \
                    "$python" "$here/urnn_bench.py" "$hidden" "$length"
            done
        else
            for design in FACTOR_LOOPS DENSE_MATRIX; do
                /usr/bin/time -f "  java $design peak RSS %M KB, %e s wall, %U s user" \
                    java -Xmx4g -cp "$classpath" \
                    io.latentflow.core.recurrent.UnitaryEvolutionRnnBench \
                    step-design "$design" "$hidden" "$length"
            done
            /usr/bin/time -f "  python peak RSS %M KB, %e s wall, %U s user" \
                "$python" "$here/urnn_bench.py" "$hidden" "$length"
        fi
        echo "  load: $(uptime)"
    done
done
