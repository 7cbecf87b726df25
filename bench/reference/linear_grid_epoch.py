"""One epoch of the 16-head linear-probe grid, the shapes of bench/train.mjs's `linear` workload: 4 input settings
(CLS of 1 or 4 blocks, with or without the mean patch token) x 4 learning rates, one weight matrix per setting
holding its 4 heads side by side, multi-label BCE, SGD momentum 0.9 with per-head learning rates, batch 128.
usage: python3 linear_grid_epoch.py THREADS EPOCHS SAMPLES DIM LABELS"""
import sys

import torch
import torch.nn.functional as F

from timing import report, setup

threads, epochs, samples, dim, labels = (int(v) for v in sys.argv[1:6])
setup(threads)
batch = 128
rates = [1e-3, 5e-3, 1e-2, 5e-2]
features = torch.randn(samples, 5 * dim)
targets = (torch.rand(samples, labels) < 0.1).float()
# Column ranges of the 4 settings in the [4 CLS blocks, patch mean] layout: last block, +mean, 4 blocks, 4 + mean.
settings = [(3 * dim, dim), (3 * dim, 2 * dim), (0, 4 * dim), (0, 5 * dim)]
weights = [(0.01 * torch.randn(width, 4 * labels)).requires_grad_() for _, width in settings]
biases = [torch.zeros(4 * labels, requires_grad=True) for _ in settings]
rate_of_column = torch.tensor(rates).repeat_interleave(labels)
velocities = [torch.zeros_like(p) for p in weights + biases]


def epoch():
    order = torch.randperm(samples)
    for start in range(0, samples, batch):
        rows = order[start : start + batch]
        x = features[rows]
        loss = sum(
            F.binary_cross_entropy_with_logits(x[:, s : s + w] @ weight + bias, targets[rows].repeat(1, 4), reduction="sum") / labels
            for (s, w), weight, bias in zip(settings, weights, biases)
        )
        grads = torch.autograd.grad(loss, weights + biases)
        with torch.no_grad():
            for p, g, v in zip(weights + biases, grads, velocities):
                v.mul_(0.9).add_(g)
                p.sub_(rate_of_column * v)


report(epoch, 1, epochs)
