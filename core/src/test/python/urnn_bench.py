"""The unitary evolution RNN of Arjovsky, Shah and Bengio (arXiv:1511.06464) in PyTorch eager
mode, for comparison with LatentFlow's UnitaryEvolutionRnn: same factor chain
W = D3 R2 F^-1 D2 P R1 F D1 with torch.fft (unitary, norm="ortho"), complex hidden state, modReLU
with rho = sqrt(|z|^2 + 1e-10), input projection V x_t for all steps as one product before the
recurrence and output projection U [Re h; Im h] + c as one product after it, cross-entropy over
every step of the copying task, autograd for BPTT, and torch.optim.RMSprop (lr 1e-3, alpha 0.9,
eps 1e-8).

Usage: python3 urnn_bench.py HIDDEN T [T...]
Prints, per T (the full sequence length; the copying delay is T - 20), the BPTT step time
(forward, backward and RMSProp update) at batch 20 in float64, as wall clock and as the process's
CPU time (which a loaded machine disturbs less), and the process's peak RSS.

Usage: python3 urnn_bench.py train DELAY ITERATIONS SEED CSV
Trains at hidden 128, batch 20, float64 on the copying task of that delay (sequences of
DELAY + 20 steps), a fresh batch every iteration, with the settings above, and writes every
iteration's cost to CSV (columns iteration, cost), for the comparison with LatentFlow's
UnitaryEvolutionRnnBench copy; prints the mean cost of every 50 iterations against the baseline
10 log 8 / (DELAY + 20).
"""

import math
import resource
import sys
import time

import torch

BATCH = 20
INPUT_CLASSES = 10
OUTPUT_CLASSES = 9
EPSILON_SQUARED = 1e-10


class UnitaryEvolutionRnn(torch.nn.Module):
    def __init__(self, n, m, k, generator):
        super().__init__()

        def uniform(shape, limit):
            return torch.nn.Parameter(
                (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * limit)

        self.phases = uniform((3, n), math.pi)
        self.reflection_real = uniform((2, n), 1.0)
        self.reflection_imag = uniform((2, n), 1.0)
        self.permutation = torch.randperm(n, generator=generator)
        glorot_in = math.sqrt(6.0 / (m + 2 * n))
        self.input_real = uniform((m, n), glorot_in)
        self.input_imag = uniform((m, n), glorot_in)
        self.output = uniform((2 * n, k), math.sqrt(6.0 / (2 * n + k)))
        self.output_bias = torch.nn.Parameter(torch.zeros(k, dtype=torch.float64))
        self.bias = torch.nn.Parameter(torch.zeros(n, dtype=torch.float64))
        self.h0_real = uniform((n,), math.sqrt(3.0 / (2 * n)))
        self.h0_imag = uniform((n,), math.sqrt(3.0 / (2 * n)))

    @staticmethod
    def reflect(h, v):
        # (I - 2 v v^H / |v|^2) h, for a batch of row vectors h
        projection = (h @ v.conj()).unsqueeze(1)
        return h - (2 / (v.abs() ** 2).sum()) * projection * v

    def forward(self, x):
        steps, batch, _ = x.shape
        d = torch.polar(torch.ones_like(self.phases), self.phases)
        v1 = torch.complex(self.reflection_real[0], self.reflection_imag[0])
        v2 = torch.complex(self.reflection_real[1], self.reflection_imag[1])
        projected = torch.complex(x @ self.input_real, x @ self.input_imag)
        h = torch.complex(self.h0_real, self.h0_imag).expand(batch, -1)
        states = []
        # unbind, not projected[t]: each select's backward would allocate a zero gradient of the
        # whole (T, B, n) tensor, which makes the step quadratic in T.
        for projected_t in projected.unbind(0):
            w = h * d[0]
            w = torch.fft.fft(w, norm="ortho")
            w = self.reflect(w, v1)
            w = w[:, self.permutation]
            w = w * d[1]
            w = torch.fft.ifft(w, norm="ortho")
            w = self.reflect(w, v2)
            w = w * d[2]
            z = w + projected_t
            rho = torch.sqrt(z.real ** 2 + z.imag ** 2 + EPSILON_SQUARED)
            h = z * (torch.relu(rho + self.bias) / rho)
            states.append(h)
        hidden = torch.stack(states)
        return torch.cat([hidden.real, hidden.imag], dim=-1) @ self.output + self.output_bias


def copying_batch(steps, generator):
    delay = steps - 20
    symbols = torch.randint(1, 9, (BATCH, 10), generator=generator)
    inputs = torch.zeros(steps, BATCH, dtype=torch.long)
    targets = torch.zeros(steps, BATCH, dtype=torch.long)
    inputs[:10] = symbols.T
    inputs[10 + delay - 1] = 9
    targets[-10:] = symbols.T
    one_hot = torch.nn.functional.one_hot(inputs, INPUT_CLASSES).to(torch.float64)
    return one_hot, targets


def train(delay, iterations, seed, csv_path):
    hidden = 128
    steps = delay + 20
    generator = torch.Generator().manual_seed(seed)
    model = UnitaryEvolutionRnn(hidden, INPUT_CLASSES, OUTPUT_CLASSES, generator)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-8)
    baseline = 10 * math.log(8) / steps
    print(f"pytorch {torch.__version__} threads={torch.get_num_threads()} copying T={delay}"
          f" hidden={hidden} batch={BATCH} seed={seed} baseline {baseline:.4f}", flush=True)
    start = time.perf_counter()
    window = 0.0
    first_below = -1
    with open(csv_path, "w") as out:
        out.write("iteration,cost\n")
        for iteration in range(1, iterations + 1):
            x, targets = copying_batch(steps, generator)
            optimizer.zero_grad()
            logits = model(x)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, OUTPUT_CLASSES), targets.reshape(-1))
            loss.backward()
            optimizer.step()
            cost = loss.item()
            out.write(f"{iteration},{cost!r}\n")
            window += cost
            if first_below < 0 and cost < baseline:
                first_below = iteration
            if iteration % 50 == 0:
                below = " below baseline" if window / 50 < baseline else ""
                print(f"iteration {iteration} cost {window / 50:.5f} (mean of last 50) elapsed"
                      f" {time.perf_counter() - start:.1f} s{below}", flush=True)
                window = 0.0
    print(f"first single batch below baseline: iteration {first_below}", flush=True)


def main():
    if sys.argv[1] == "train":
        train(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    hidden = int(sys.argv[1])
    generator = torch.Generator().manual_seed(1)
    for steps in map(int, sys.argv[2:]):
        model = UnitaryEvolutionRnn(hidden, INPUT_CLASSES, OUTPUT_CLASSES, generator)
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-8)
        x, targets = copying_batch(steps, generator)
        warm_up, measured = (2, 5) if steps * hidden <= 100 * 512 else (1, 4)
        times = []
        cpu_times = []
        for i in range(warm_up + measured):
            start = time.perf_counter()
            cpu_start = time.process_time()
            optimizer.zero_grad()
            logits = model(x)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, OUTPUT_CLASSES), targets.reshape(-1))
            loss.backward()
            optimizer.step()
            if i >= warm_up:
                times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu_start)
        times.sort()
        cpu_times.sort()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"pytorch {torch.__version__} threads={torch.get_num_threads()} T={steps}"
            f" hidden={hidden} batch={BATCH}: BPTT step mean {1000 * sum(times) / len(times):.1f}"
            f" ms, median {1000 * times[len(times) // 2]:.1f} ms, min {1000 * times[0]:.1f} ms"
            f"; CPU time median {1000 * cpu_times[len(cpu_times) // 2]:.1f} ms, min"
            f" {1000 * cpu_times[0]:.1f} ms"
            f" ({measured} steps after {warm_up} warm-up), loss {loss.item():.4f},"
            f" peak RSS {peak:.0f} MB",
            flush=True)


if __name__ == "__main__":
    main()
