"""Reference points for the test reconstruction error that `latentflow train` reports for ALI.

The run folder's manifest gives the mean squared error of G(E(x)) on the first 1,000 Fashion-MNIST
test images, pixels in [0, 1]. This script computes, on the same images, the error of
reconstructions that know a given amount about each input, so a reader can place ALI's number:

- the dataset's mean image (knows nothing about the input),
- a random training image of the input's class (knows the class and nothing more: what an encoder
  that keeps only the category and a generator that draws a sharp garment of it would reach),
- the mean image of the input's class (knows the class; the best blurred guess from it),
- the nearest of k random training images (a codebook of k prototypes),
- a projection on the first k principal components of 20,000 training images.

Usage: python3 reconstruction_baselines.py [FASHION_MNIST_DIR]  (needs python3-numpy)
"""

import gzip
import sys

import numpy as np

TEST_IMAGES = 1000
SEED = 1


def read_idx(path, header_bytes):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header_bytes)


def images(path):
    return read_idx(path, 16).reshape(-1, 784).astype(np.float64) / 255.0


def mse(x, reconstruction):
    return float(((x - reconstruction) ** 2).mean())


def nearest(x, candidates):
    squared = (x**2).sum(1)[:, None] - 2 * x @ candidates.T + (candidates**2).sum(1)[None, :]
    return candidates[squared.argmin(1)]


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    train = images(f"{folder}/train-images-idx3-ubyte.gz")
    train_labels = read_idx(f"{folder}/train-labels-idx1-ubyte.gz", 8)
    test = images(f"{folder}/t10k-images-idx3-ubyte.gz")[:TEST_IMAGES]
    test_labels = read_idx(f"{folder}/t10k-labels-idx1-ubyte.gz", 8)[:TEST_IMAGES]
    rng = np.random.default_rng(SEED)

    rows = [("mean image", mse(test, train.mean(0)))]
    by_class = [np.flatnonzero(train_labels == c) for c in range(10)]
    same_class = train[[rng.choice(by_class[c]) for c in test_labels]]
    rows.append(("random training image of the same class", mse(test, same_class)))
    class_means = np.stack([train[i].mean(0) for i in by_class])
    rows.append(("mean image of the same class", mse(test, class_means[test_labels])))
    for k in (10, 100, 1000):
        codebook = train[rng.choice(len(train), k, replace=False)]
        rows.append((f"nearest of {k} random training images", mse(test, nearest(test, codebook))))
    centre = train.mean(0)
    _, _, components = np.linalg.svd(train[:20000] - centre, full_matrices=False)
    for k in (2, 10, 64):
        basis = components[:k]
        projected = (test - centre) @ basis.T @ basis + centre
        rows.append((f"first {k} principal components", mse(test, projected)))

    print(f"| reconstruction of the first {TEST_IMAGES} test images | MSE |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:.3f} |")


if __name__ == "__main__":
    main()
