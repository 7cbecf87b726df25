"""Shared by the reference workloads: thread setup and the seconds per step of a timed loop, printed as JSON."""
import json
import sys
import time

import torch


def setup(threads: int) -> None:
    """Runs PyTorch on `threads` intra-op threads (and one inter-op thread), seeded."""
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)


def report(step, warmup: int, steps: int, **extra) -> None:
    """Runs `step` `warmup` times untimed, then `steps` times timed; prints {"seconds": per step, ...} on stdout."""
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - start) / steps
    json.dump({"seconds": seconds, "threads": torch.get_num_threads(), "torch": torch.__version__, **extra}, sys.stdout)
    sys.stdout.write("\n")
