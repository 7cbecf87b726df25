"""One SGD step of a DINOv2-style ViT (LayerScale, pre-norm, GELU MLP) with a linear head on the CLS token, the
shapes of bench/train.mjs's `lora` and `full` workloads: MODE lora (rank 48, alpha 16, dropout 0.1 on qkv, fc1 and
fc2; the backbone frozen) or full (every parameter trains), BCE on one output, batch in micro-batches whose
gradients add up, SGD momentum 0.9.
usage: python3 vit_step.py THREADS STEPS MODE D DEPTH HEADS SIDE BATCH MICRO"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import report, setup

threads, steps = int(sys.argv[1]), int(sys.argv[2])
mode = sys.argv[3]
dim, depth, heads, side, batch, micro = (int(v) for v in sys.argv[4:10])
setup(threads)
patch = 14


class LoRA(nn.Module):
    """y = linear(x) + (alpha / rank) * dropout(x) A^T B^T, B starting at zero."""

    def __init__(self, linear, rank=48, alpha=16, dropout=0.1):
        super().__init__()
        self.linear = linear
        self.down = nn.Parameter(torch.empty(rank, linear.in_features).uniform_(-linear.in_features ** -0.5, linear.in_features ** -0.5))
        self.up = nn.Parameter(torch.zeros(linear.out_features, rank))
        self.scale = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear(x) + self.scale * (self.dropout(x) @ self.down.t() @ self.up.t())


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc1, self.fc2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)
        self.ls1, self.ls2 = nn.Parameter(torch.full((dim,), 0.1)), nn.Parameter(torch.full((dim,), 0.1))

    def forward(self, x):
        n, t, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(n, t, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
        attention = (q @ k.transpose(-2, -1) * (dim // heads) ** -0.5).softmax(-1)
        x = x + self.ls1 * self.proj((attention @ v).transpose(1, 2).reshape(n, t, dim))
        return x + self.ls2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, stride=patch)
        self.cls = nn.Parameter(0.02 * torch.randn(1, 1, dim))
        self.pos = nn.Parameter(0.02 * torch.randn(1, 1 + (side // patch) ** 2, dim))
        self.blocks = nn.ModuleList(Block() for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, 1)

    def forward(self, pixels):
        x = self.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(len(x), -1, -1), x], 1) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


model = ViT()
if mode == "lora":
    for p in model.parameters():
        p.requires_grad_(False)
    for block in model.blocks:
        block.qkv, block.fc1, block.fc2 = LoRA(block.qkv), LoRA(block.fc1), LoRA(block.fc2)
    model.head.requires_grad_(True)
model.train()
trainable = [p for p in model.parameters() if p.requires_grad]
optimizer = torch.optim.SGD(trainable, lr=1e-5, momentum=0.9)
pixels = torch.randn(batch, 3, side, side)
targets = (torch.arange(batch) % 2).float().unsqueeze(1)


def step():
    optimizer.zero_grad()
    for start in range(0, batch, micro):
        logits = model(pixels[start : start + micro])
        F.binary_cross_entropy_with_logits(logits, targets[start : start + micro], reduction="sum").backward()
    optimizer.step()


report(step, 1, steps, trainable=sum(p.numel() for p in trainable))
