"""PyTorch and numpy columns of `npm run bench`: the same workloads on the same deterministic data
(bench/common.ts's integer hash, reproduced with numpy uint32 arithmetic). Prints one JSON line:
{workload: {"torch": {"value", "check"}, "numpy": {...}}}. Run by bench/index.ts with /usr/bin/python3."""
import argparse, json, math, time
import numpy as np
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--only", default="matmul,conv2d,mlp,lenet,lstm,gpt")
ap.add_argument("--quick", action="store_true")
args = ap.parse_args()
torch.set_num_threads(args.threads)
QUICK = args.quick


def hash_data(seed, n, scale=1.0):
    i = np.arange(n, dtype=np.uint32)
    s = np.uint32((seed * 0x85EBCA77) & 0xFFFFFFFF)
    with np.errstate(over="ignore"):
        t = i * np.uint32(0x9E3779B1) + s
        t ^= t >> np.uint32(16)
        t *= np.uint32(0x7FEB352D)
        t ^= t >> np.uint32(15)
        t *= np.uint32(0x846CA68B)
        t ^= t >> np.uint32(16)
    u = t.astype(np.float64) / 4294967296.0
    return ((u * 2 - 1) * scale).astype(np.float32)


def hash_labels(seed, n, classes):
    u = hash_data(seed, n).astype(np.float64)
    return np.minimum(classes - 1, np.floor((u + 1) / 2 * classes)).astype(np.int64)


def param(spec, seed):
    name, shape, fan = spec
    n = int(np.prod(shape))
    if fan == 0:
        a = np.ones(n, np.float32)
    elif fan == -1:
        a = np.zeros(n, np.float32)
    else:
        a = hash_data(seed, n, 1 / math.sqrt(fan))
    return torch.tensor(a.reshape(shape), requires_grad=True)


def params(specs):
    return {s[0]: param(s, 100 + i) for i, s in enumerate(specs)}


def checksum(a):
    return float(np.asarray(a, dtype=np.float64).reshape(-1)[::97].sum())


def timeit(step):
    warm, warm_s, min_s, max_steps = (1, 0.0, 0.3, 5) if QUICK else (3, 2.0, 2.0, 200)
    # warm-up: at least `warm` steps and `warm_s` seconds, as for the JavaScript peers
    t0 = time.perf_counter()
    step()
    slow = time.perf_counter() - t0 > 0.5
    i = 1
    while not slow and (i < warm or time.perf_counter() - t0 < warm_s):
        step()
        i += 1
    ts = []
    start = time.perf_counter()
    while len(ts) < 3 or (time.perf_counter() - start < min_s and len(ts) < max_steps):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]


def sgd(ps, lr):
    with torch.no_grad():
        for p in ps.values():
            p.sub_(p.grad * lr)
            p.grad = None


def matmul():
    n = 1024
    a = hash_data(7, n * n).reshape(n, n)
    b = hash_data(8, n * n).reshape(n, n)
    ta, tb = torch.tensor(a), torch.tensor(b)
    t = timeit(lambda: torch.matmul(ta, tb))
    tn = timeit(lambda: a @ b)
    f = 2 * n ** 3 / 1e9
    return {"torch": {"value": f / t, "check": checksum(torch.matmul(ta, tb).numpy())},
            "numpy": {"value": f / tn, "check": checksum(a @ b)}}


def conv2d():
    x = torch.tensor(hash_data(9, 32 * 3 * 32 * 32).reshape(32, 3, 32, 32))
    w = torch.tensor(hash_data(10, 64 * 27, 1 / math.sqrt(27)).reshape(64, 3, 3, 3))
    with torch.no_grad():
        t = timeit(lambda: F.conv2d(x, w, padding=1))
        out = F.conv2d(x, w, padding=1).numpy()
    return {"torch": {"value": 2 * 32 * 64 * 32 * 32 * 27 / 1e9 / t, "check": checksum(out)}}


MLP = [("w1", [512, 784], 784), ("b1", [512], 784), ("w2", [512, 512], 512), ("b2", [512], 512), ("w3", [10, 512], 512), ("b3", [10], 512)]
LENET = [("c1w", [6, 1, 5, 5], 25), ("c1b", [6], 25), ("c2w", [16, 6, 5, 5], 150), ("c2b", [16], 150),
         ("f1w", [120, 400], 400), ("f1b", [120], 400), ("f2w", [84, 120], 120), ("f2b", [84], 120), ("f3w", [10, 84], 84), ("f3b", [10], 84)]
LSTM = [("wih", [1024, 128], 256), ("whh", [1024, 256], 256), ("b", [1024], 256)]
GPT = [("ln1w", [256], 0), ("ln1b", [256], -1), ("wqkv", [768, 256], 256), ("bqkv", [768], 256), ("wo", [256, 256], 256), ("bo", [256], 256),
       ("ln2w", [256], 0), ("ln2b", [256], -1), ("w1", [1024, 256], 256), ("b1", [1024], 256), ("w2", [256, 1024], 1024), ("b2", [256], 1024)]


def run_train(step, per_step):
    first = step()
    t = timeit(step)
    return {"torch": {"value": per_step / t, "check": first}}


def mlp():
    p = params(MLP)
    x = torch.tensor(hash_data(3, 128 * 784).reshape(128, 784))
    y = torch.tensor(hash_labels(4, 128, 10))

    def step():
        h = F.relu(F.linear(x, p["w1"], p["b1"]))
        h = F.relu(F.linear(h, p["w2"], p["b2"]))
        loss = F.cross_entropy(F.linear(h, p["w3"], p["b3"]), y)
        loss.backward()
        sgd(p, 0.01)
        return loss.item()
    return run_train(step, 128)


def lenet():
    p = params(LENET)
    x = torch.tensor(hash_data(1, 64 * 784).reshape(64, 1, 28, 28))
    y = torch.tensor(hash_labels(2, 64, 10))

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, p["c1w"], p["c1b"], padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["c2w"], p["c2b"])), 2).flatten(1)
        h = F.relu(F.linear(h, p["f1w"], p["f1b"]))
        h = F.relu(F.linear(h, p["f2w"], p["f2b"]))
        loss = F.cross_entropy(F.linear(h, p["f3w"], p["f3b"]), y)
        loss.backward()
        sgd(p, 0.01)
        return loss.item()
    return run_train(step, 64)


def lstm():
    p = params(LSTM)
    x = torch.tensor(hash_data(5, 64 * 32 * 128).reshape(64, 32, 128))

    # nn.LSTM (ATen's whole-sequence LSTM) holding the same weights, with bias_hh fixed at zero
    lstm = torch.nn.LSTM(128, 256)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(p["wih"])
        lstm.weight_hh_l0.copy_(p["whh"])
        lstm.bias_ih_l0.copy_(p["b"])
        lstm.bias_hh_l0.zero_()
    lstm.bias_hh_l0.requires_grad_(False)

    def step():
        _, (h, _) = lstm(x, (torch.zeros(1, 32, 256), torch.zeros(1, 32, 256)))
        loss = (h * h).mean()
        loss.backward()
        for q in lstm.parameters():
            q.grad = None
        return loss.item()
    return run_train(step, 32)


def gpt():
    B, T, C, nh = 16, 128, 256, 4
    hs = C // nh
    p = params(GPT)
    x = torch.tensor(hash_data(6, B * T * C).reshape(B, T, C))
    mask = torch.ones(T, T, dtype=torch.bool).tril().logical_not()

    def step():
        a = F.layer_norm(x, [C], p["ln1w"], p["ln1b"])
        qkv = F.linear(a, p["wqkv"], p["bqkv"])
        q, k, v = [z.reshape(B, T, nh, hs).transpose(1, 2) for z in qkv.split(C, 2)]
        att = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(hs))
        att = F.softmax(att.masked_fill(mask, float("-inf")), -1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x1 = x + F.linear(y, p["wo"], p["bo"])
        m = F.linear(F.gelu(F.linear(F.layer_norm(x1, [C], p["ln2w"], p["ln2b"]), p["w1"], p["b1"]), approximate="tanh"), p["w2"], p["b2"])
        out = x1 + m
        loss = (out * out).mean()
        loss.backward()
        for q_ in p.values():
            q_.grad = None
        return loss.item()
    return run_train(step, B * T)


out = {}
for name in args.only.split(","):
    fn = globals().get(name)
    if fn is None:
        continue
    try:
        out[name] = fn()
    except Exception as e:  # a failing workload is reported, not fatal
        out[name] = {"torch": {"value": None, "check": None, "note": "fails: " + str(e)[:60]}}
print(json.dumps(out))
