/**
 * Cosine annealing to 0 over `total` iterations, stepped per iteration (PyTorch's CosineAnnealingLR with
 * `T_max = total`, `eta_min = 0`, one `step()` after each optimiser step): the factor of the base learning rate
 * at 0-based iteration `t` is `(1 + cos(π t / total)) / 2`, so 1 at the first step.
 */
export function cosineFactor(iteration: number, total: number): number {
  return (1 + Math.cos((Math.PI * iteration) / total)) / 2;
}
