#!/usr/bin/env bash
# Measures the uRNN's BPTT step time in LatentFlow, both recurrence designs
# (UnitaryEvolutionRnnBench step-design FACTOR_LOOPS and DENSE_MATRIX), and in PyTorch eager
# (urnn_bench.py) side by side, one configuration after the other so that all three see the same
# machine load, each in its own process under /usr/bin/time for the peak RSS.
#
# Usage: compare_with_pytorch.sh CLASSPATH_FILE [PYTHON [HIDDEN...]]
#   CLASSPATH_FILE holds core's test class path (target/test-classes, target/classes, jars).
#   HIDDEN defaults to 128 512.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath="$(cat "$1")"
python="${2:-/usr/bin/python3}"
if (( $# > 2 )); then
    hiddens=("${@:3}")
else
    hiddens=(128 512)
fi

echo "load before: $(uptime)"
for hidden in "${hiddens[@]}"; do
    for length in 100 500 1000; do
        for design in FACTOR_LOOPS DENSE_MATRIX; do
            /usr/bin/time -f "  java $design peak RSS %M KB, %e s wall, %U s user" \
                java -Xmx4g -cp "$classpath" io.latentflow.core.recurrent.UnitaryEvolutionRnnBench \
                step-design "$design" "$hidden" "$length"
        done
        /usr/bin/time -f "  python peak RSS %M KB, %e s wall, %U s user" \
            "$python" "$here/urnn_bench.py" "$hidden" "$length"
        echo "  load: $(uptime)"
    done
done
