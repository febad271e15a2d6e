"""The mnist-mlp and mnist-lenet recipes of `deeptype train`, written in PyTorch, to compare
wall time, samples/s and accuracy on the same machine (README "Measured").

Usage: /usr/bin/python3 scripts/compare/torch_recipes.py [mlp|lenet] [--data DIR] [--epochs N]
(Debian's python3-torch; MNIST .gz IDX files in DIR, default ../shared/datasets/mnist.)
Same model, optimiser (Adam + OneCycleLR stepped per batch), batch size 128, epochs 10, learning
rates 2e-3 (mlp) / 3e-3 (lenet), images scaled to [0, 1], as src/cli/recipes.ts.
"""
import gzip, json, sys, time
import numpy as np
import torch
from torch import nn

args = sys.argv[1:]
which = args[0] if args and not args[0].startswith("--") else "mlp"
data_dir = args[args.index("--data") + 1] if "--data" in args else "../shared/datasets/mnist"
epochs = int(args[args.index("--epochs") + 1]) if "--epochs" in args else 10
torch.set_num_threads(2)
torch.manual_seed(0)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def split(prefix):
    x = torch.from_numpy(idx(f"{data_dir}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(idx(f"{data_dir}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return x, y


xtr, ytr = split("train")
xte, yte = split("t10k")
if which == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    lr = 2e-3
else:
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    lr = 3e-3
bs = 128
steps = (len(xtr) + bs - 1) // bs
opt = torch.optim.Adam(model.parameters(), lr=lr)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs, steps_per_epoch=steps)
loss_fn = nn.CrossEntropyLoss()
t0 = time.time()
train_time = 0.0
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(xtr))
    te = time.time()
    for i in range(steps):
        b = perm[i * bs:(i + 1) * bs]
        opt.zero_grad()
        loss = loss_fn(model(xtr[b]), ytr[b])
        loss.backward()
        opt.step()
        sched.step()
    train_time += time.time() - te
    model.eval()
    with torch.no_grad():
        acc = sum((model(xte[i:i + 500]).argmax(1) == yte[i:i + 500]).sum().item() for i in range(0, len(xte), 500)) / len(xte)
    print(f"epoch {epoch + 1}/{epochs} loss {loss.item():.4f} test accuracy {acc * 100:.2f}%", flush=True)
wall = time.time() - t0
print(json.dumps({"recipe": f"mnist-{which}", "framework": f"torch {torch.__version__}", "epochs": epochs, "wall_s": round(wall, 1),
                  "train_samples_per_s": round(epochs * len(xtr) / train_time), "test_accuracy": round(acc * 100, 2)}))
