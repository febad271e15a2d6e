"""The shakespeare-gpt recipe of `deeptype train` (src/cli/shakespeare-gpt.ts) in PyTorch, to compare wall
time and val loss on the same machine: nanoGPT's shakespeare_char CPU configuration (block 64, batch 12,
4 layers, 4 heads, 128 wide, no bias, dropout 0, AdamW lr 1e-3 -> 1e-4 cosine over the steps with 100
warm-up steps, betas (0.9, 0.99), weight decay 0.1 on 2-D weights, grad clip 1.0), random-offset batches
from the first 90% of the characters, eval every 250 steps (20 random batches a split), and the final
val_loss as the recipe's: the mean loss of 200 random val batches.

Usage: /usr/bin/python3 scripts/compare/torch_shakespeare.py [--data DIR] [--steps N] [--threads N]
(Debian's python3-torch 1.13; DIR/input.txt, default ../shared/datasets/tinyshakespeare.)
The model is scripts/fixtures/gpt.py's (nanoGPT's model.py in plain torch 1.13).
"""
import json, math, os, sys, time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from gpt import GPT, Config  # noqa: E402

args = sys.argv[1:]
opt_arg = lambda k, d: type(d)(args[args.index(k) + 1]) if k in args else d  # noqa: E731
data_dir = opt_arg("--data", "../shared/datasets/tinyshakespeare")
steps = opt_arg("--steps", 2000)
torch.set_num_threads(opt_arg("--threads", 2))
torch.manual_seed(1337)
np.random.seed(1337)

text = open(os.path.join(data_dir, "input.txt"), encoding="utf8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(ids))
train, val = ids[:n], ids[n:]
B, T = 12, 64
lr_max, min_lr, warmup = 1e-3, 1e-4, 100


def get_batch(data):
    ix = torch.randint(len(data) - T, (B,))
    return torch.stack([data[i:i + T] for i in ix]), torch.stack([data[i + 1:i + 1 + T] for i in ix])


def get_lr(it):
    if it < warmup:
        return lr_max * (it + 1) / (warmup + 1)
    if it > steps:
        return min_lr
    ratio = (it - warmup) / (steps - warmup)
    return min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr_max - min_lr)


@torch.no_grad()
def estimate(data, k):
    model.eval()
    s = sum(model(*get_batch(data))[1].item() for _ in range(k)) / k
    model.train()
    return s


model = GPT(Config(block_size=T, vocab_size=len(chars), n_layer=4, n_head=4, n_embd=128, dropout=0.0, bias=False))
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}], lr=lr_max, betas=(0.9, 0.99))
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {sum(p.numel() for p in params) / 1e6:.2f}M parameters, {steps} steps", flush=True)
t0 = time.perf_counter()
eval_s = 0.0
for it in range(steps + 1):
    if it % 250 == 0 or it == steps:
        e0 = time.perf_counter()
        print(f"step {it}: train loss {estimate(train, 20):.4f}, val loss {estimate(val, 20):.4f} ({time.perf_counter() - t0:.1f} s)", flush=True)
        eval_s += time.perf_counter() - e0
    if it == steps:
        break
    for g in opt.param_groups:
        g["lr"] = get_lr(it)
    x, y = get_batch(train)
    _, loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
total = time.perf_counter() - t0
final = estimate(val, 200)
res = {"val_loss": final, "val_perplexity": math.exp(final), "steps": steps, "seconds": total, "train_seconds": total - eval_s,
       "seconds_per_step": (total - eval_s) / steps}
print(json.dumps(res))
