"""One SGD step of the study's U-Net segmentation decoder, the shapes of bench/train.mjs's `unet` workload: patch
tokens of 5 blocks [batch, grid, grid, D], 3 classes, output side x side, Dice + cross-entropy loss, batch in
micro-batches whose gradients add up (as radprobe's trainer does), SGD momentum 0.9.
usage: python3 unet_step.py THREADS STEPS GRID D SIDE BATCH MICRO"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import report, setup

threads, steps, grid, dim, side, batch, micro = (int(v) for v in sys.argv[1:8])
setup(threads)
classes = 3
channels = [dim // 2, dim // 4, dim // 8, classes]


class UpBlock(nn.Module):
    def __init__(self, cin, out, last):
        super().__init__()
        self.transpose = nn.ConvTranspose2d(cin, out, 2, stride=2)
        self.skip = nn.Sequential(nn.Conv2d(dim, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU())
        self.fuse = nn.Conv2d(2 * out, out, 3, padding=1) if last else nn.Sequential(nn.Conv2d(2 * out, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU())

    def forward(self, y, skip):
        up = self.transpose(y)
        s = F.interpolate(self.skip(skip), size=up.shape[-2:], mode="bilinear", align_corners=True)
        return self.fuse(torch.cat([up, s], 1))


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(UpBlock(dim if i == 0 else channels[i - 1], out, i == 3) for i, out in enumerate(channels))

    def forward(self, xs):
        y = xs[4]
        for i, block in enumerate(self.blocks):
            y = block(y, xs[3 - i])
        return F.interpolate(y, size=(side, side), mode="bilinear", align_corners=False)


def dice_ce(logits, labels, batch_items):
    probabilities = logits.softmax(1)
    onehot = F.one_hot(labels, classes).permute(0, 3, 1, 2).float()
    intersection = (probabilities * onehot).sum((2, 3))
    dice = 1 - (2 * intersection + 1e-5) / (probabilities.sum((2, 3)) + onehot.sum((2, 3)) + 1e-5)
    ce = F.cross_entropy(logits, labels, reduction="sum") / (side * side)
    return (dice.mean(1).sum() + ce) / batch_items


model = UNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
tokens = [torch.randn(batch, dim, grid, grid) for _ in range(5)]
labels = torch.randint(0, classes, (batch, side, side))


def step():
    optimizer.zero_grad()
    for start in range(0, batch, micro):
        loss = dice_ce(model([t[start : start + micro] for t in tokens]), labels[start : start + micro], batch)
        loss.backward()
    optimizer.step()


report(step, 1, steps)
