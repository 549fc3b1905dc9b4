#!/usr/bin/env bash
# Measures the uRNN's BPTT step time in LatentFlow (UnitaryEvolutionRnnBench step-hidden) and in
# PyTorch eager (urnn_bench.py) side by side, one configuration after the other so that both see
# the same machine load, each in its own process under /usr/bin/time for the peak RSS.
#
# Usage: compare_with_pytorch.sh CLASSPATH_FILE [PYTHON]
#   CLASSPATH_FILE holds core's test class path (target/test-classes, target/classes, jars).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
classpath="$(cat "$1")"
python="${2:-/usr/bin/python3}"

echo "load before: $(uptime)"
for hidden in 128 512; do
    for length in 100 500 1000; do
        /usr/bin/time -f "  java peak RSS %M KB, %e s wall, %U s user" \
            java -Xmx4g -cp "$classpath" io.latentflow.core.recurrent.UnitaryEvolutionRnnBench \
            step-hidden "$hidden" "$length"
        /usr/bin/time -f "  python peak RSS %M KB, %e s wall, %U s user" \
            "$python" "$here/urnn_bench.py" "$hidden" "$length"
        echo "  load: $(uptime)"
    done
done
