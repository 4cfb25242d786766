"""PyTorch reference for `npm run bench`: the same model, data, batch and optimizer as Bottleneck's
undercomplete template (Glorot-uniform kernels, zero biases, as tfjs-layers initialises Dense).
Prints one JSON object: samples/s per epoch and the final validation BCE."""
import gzip, json, struct, sys, time
from pathlib import Path

import torch
from torch import nn

def read_idx(path):
    data = gzip.open(path, "rb").read()
    magic = struct.unpack(">I", data[:4])[0]
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank :]), dtype=torch.uint8).reshape(dims)

def dense(i, o):
    layer = nn.Linear(i, o)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer

def main():
    cfg = json.loads(sys.argv[1])
    torch.manual_seed(cfg["seed"])
    torch.set_num_threads(cfg.get("threads", 2))
    root = Path(cfg["data"])
    x = read_idx(root / "train-images.idx.gz").float().div(255).reshape(-1, 784)
    xv = read_idx(root / "test-images.idx.gz").float().div(255).reshape(-1, 784)
    model = nn.Sequential(dense(784, 128), nn.ReLU(), dense(128, cfg["code"]), dense(cfg["code"], 128), nn.ReLU(), dense(128, 784), nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], eps=1e-7)
    loss_fn = nn.BCELoss()
    bs = cfg["batch"]
    speeds = []
    for _ in range(cfg["epochs"]):
        perm = torch.randperm(len(x))
        t0 = time.perf_counter()
        for i in range(0, len(x), bs):
            xb = x[perm[i : i + bs]]
            opt.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            opt.step()
        speeds.append(len(x) / (time.perf_counter() - t0))
    with torch.no_grad():
        val = loss_fn(model(xv).clamp(1e-7, 1 - 1e-7), xv).item()
    print(json.dumps({"samples_per_sec": speeds, "val_loss": val, "torch": torch.__version__}))

main()
