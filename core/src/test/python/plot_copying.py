"""Plots copying-task cost curves of LatentFlow's uRNN and the PyTorch peer on one figure.

Usage: python3 plot_copying.py DELAY OUTPUT.png LABEL=CSV [LABEL=CSV ...]
Each CSV has columns iteration, cost (UnitaryEvolutionRnnBench copy, urnn_bench.py train). Draws
every iteration's cost faintly, its 20-iteration running mean on top, and the memoryless baseline
10 log 8 / (DELAY + 20), on a log scale.
"""

import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WINDOW = 20


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [int(r["iteration"]) for r in rows], [float(r["cost"]) for r in rows]


def running_mean(values):
    means = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= WINDOW:
            total -= values[i - WINDOW]
        means.append(total / min(i + 1, WINDOW))
    return means


def main():
    delay = int(sys.argv[1])
    output = sys.argv[2]
    baseline = 10 * math.log(8) / (delay + 20)
    figure, axes = plt.subplots(figsize=(8, 5))
    for spec, color in zip(sys.argv[3:], ["tab:blue", "tab:orange", "tab:green", "tab:red"]):
        label, path = spec.split("=", 1)
        iterations, costs = read(path)
        axes.plot(iterations, costs, color=color, alpha=0.25, linewidth=0.8)
        axes.plot(iterations, running_mean(costs), color=color, linewidth=1.8,
                  label=f"{label} ({WINDOW}-iteration mean)")
    axes.axhline(baseline, color="black", linestyle="--", linewidth=1,
                 label=f"baseline 10 log 8 / {delay + 20} = {baseline:.4f}")
    axes.set_yscale("log")
    axes.set_xlabel("iteration (batch 20)")
    axes.set_ylabel("cross-entropy per step")
    axes.set_title(f"uRNN on copying, T = {delay}, hidden 128, RMSProp lr 1e-3 decay 0.9")
    axes.legend()
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(output, dpi=110)


if __name__ == "__main__":
    main()
