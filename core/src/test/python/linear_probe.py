"""How much of the class an ALI encoder keeps: a linear classifier on its codes.

ALI's paper judges the inference network by how useful its codes are to a classifier. This script
fits multinomial logistic regression (L2, L-BFGS) to the codes mu(x) that `latentflow encode`
wrote for Fashion-MNIST training images and reports its accuracy on the codes of test images,
beside the same classifier on the raw pixels and on as many principal components of the pixels
as the code has dimensions.

    ./latentflow encode --snapshot RUN --images .../train-images-idx3-ubyte.gz --count 60000 \\
        --output train-codes.csv
    ./latentflow encode --snapshot RUN --images .../t10k-images-idx3-ubyte.gz --count 10000 \\
        --output test-codes.csv
    python3 linear_probe.py train-codes.csv test-codes.csv [FASHION_MNIST_DIR]

Needs python3-numpy and python3-scipy.
"""

import gzip
import sys

import numpy as np
from scipy.optimize import minimize

CLASSES = 10
L2 = 1e-4


def read_idx(path, header_bytes):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header_bytes)


def read_codes(path):
    return np.loadtxt(path, delimiter=",", skiprows=1)[:, 1:]


def fit(features, labels):
    """Weights [d + 1, classes] of L2-regularized softmax regression on standardized features."""
    n, d = features.shape
    design = np.hstack([features, np.ones((n, 1))])
    targets = np.eye(CLASSES)[labels]

    def loss_and_gradient(flat):
        weights = flat.reshape(d + 1, CLASSES)
        logits = design @ weights
        logits -= logits.max(1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(1, keepdims=True)
        loss = -np.log(probabilities[np.arange(n), labels] + 1e-300).mean()
        loss += 0.5 * L2 * (weights[:-1] ** 2).sum()
        gradient = design.T @ (probabilities - targets) / n
        gradient[:-1] += L2 * weights[:-1]
        return loss, gradient.ravel()

    start = np.zeros((d + 1) * CLASSES)
    result = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B",
                      options={"maxiter": 500})
    return result.x.reshape(d + 1, CLASSES)


def accuracy(train, train_labels, test, test_labels):
    centre, scale = train.mean(0), train.std(0) + 1e-8
    weights = fit((train - centre) / scale, train_labels)
    scores = np.hstack([(test - centre) / scale, np.ones((len(test), 1))]) @ weights
    return float((scores.argmax(1) == test_labels).mean())


def main():
    train_codes, test_codes = read_codes(sys.argv[1]), read_codes(sys.argv[2])
    folder = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    train_labels = read_idx(f"{folder}/train-labels-idx1-ubyte.gz", 8)[: len(train_codes)]
    test_labels = read_idx(f"{folder}/t10k-labels-idx1-ubyte.gz", 8)[: len(test_codes)]
    pixels = read_idx(f"{folder}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    train_pixels = pixels[: len(train_codes)].astype(np.float64) / 255.0
    test_pixels = (
        read_idx(f"{folder}/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)[: len(test_codes)]
    ).astype(np.float64) / 255.0
    dims = train_codes.shape[1]
    centre = train_pixels.mean(0)
    _, _, components = np.linalg.svd(train_pixels[:20000] - centre, full_matrices=False)
    basis = components[:dims]

    rows = [
        (f"the encoder's codes mu(x) ({dims} dimensions)",
         accuracy(train_codes, train_labels, test_codes, test_labels)),
        (f"the first {dims} principal components of the pixels",
         accuracy((train_pixels - centre) @ basis.T, train_labels,
                  (test_pixels - centre) @ basis.T, test_labels)),
        ("the 784 pixels", accuracy(train_pixels, train_labels, test_pixels, test_labels)),
    ]
    print(f"| linear classifier on ({len(train_codes)} training, {len(test_codes)} test images)"
          " | test accuracy |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:.3f} |")


if __name__ == "__main__":
    main()
