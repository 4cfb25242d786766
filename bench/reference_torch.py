"""PyTorch references for `npm run bench`: the same models, data, batch, optimizer and initialisation
as Bottleneck's templates (Glorot-uniform kernels, zero biases, as tfjs-layers initialises them;
Adam with Keras' epsilon 1e-7). Prints one JSON object: samples/s per epoch and the final
validation losses, computed exactly as Bottleneck computes them (BCE per pixel; for the VAE,
+ β·KL per image / 784 with a linear warm-up over the first epoch's steps)."""
import gzip, json, struct, sys, time
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F


def read_idx(path):
    data = gzip.open(path, "rb").read()
    magic = struct.unpack(">I", data[:4])[0]
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank :]), dtype=torch.uint8).reshape(dims)


def glorot(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return module


class Undercomplete(nn.Module):
    def __init__(self, code=32, hidden=128):
        super().__init__()
        self.enc = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, code))
        self.dec = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x)).view(-1, 1, 28, 28), None


class Convolutional(nn.Module):
    """Conv 16 → pool → conv 32 → pool → code 32 → dense 7·7·32 → convT 32 /2 → convT 16 /2 → conv 1."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 32, 32),
        )
        self.fc = nn.Sequential(nn.Linear(32, 7 * 7 * 32), nn.ReLU())
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.dec(self.fc(self.enc(x)).view(-1, 32, 7, 7)), None


class Variational(nn.Module):
    def __init__(self, code=16, hidden=256):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU())
        self.mean = nn.Linear(hidden, code)
        self.logvar = nn.Linear(hidden, code)
        self.dec = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid())

    def forward(self, x):
        h = self.body(x)
        mu, logvar = self.mean(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return self.dec(z).view(-1, 1, 28, 28), (mu, logvar)


class SmallConv(nn.Module):
    """Strided convolutions only: conv 16 /2 → conv 32 /2 → code 32 → 7·7·32 → convT 16 /2 → convT 1 /2."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(7 * 7 * 32, 32),
        )
        self.fc = nn.Sequential(nn.Linear(32, 7 * 7 * 32), nn.ReLU())
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.dec(self.fc(self.enc(x)).view(-1, 32, 7, 7)), None


MODELS = {
    "undercomplete": Undercomplete,
    "convolutional": Convolutional,
    "variational": Variational,
    # The speed issue's models: 784-256-64-256-784 dense AE, a small conv AE, the 784-400-20-400-784 VAE.
    "dense-ae": lambda: Undercomplete(code=64, hidden=256),
    "small-conv-ae": SmallConv,
    "dense-vae": lambda: Variational(code=20, hidden=400),
}


def loss_terms(out, x, extra, kl_weight):
    recon = F.binary_cross_entropy(out.clamp(1e-7, 1 - 1e-7), x)
    if extra is None:
        return recon, recon
    mu, logvar = extra
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)).mean() / 784
    return recon + kl_weight * kl, recon


def main():
    cfg = json.loads(sys.argv[1])
    torch.manual_seed(cfg["seed"])
    torch.set_num_threads(cfg.get("threads", 2))
    root = Path(cfg["data"])
    x = read_idx(root / "train-images.idx.gz").float().div(255).view(-1, 1, 28, 28)
    xv = read_idx(root / "test-images.idx.gz").float().div(255).view(-1, 1, 28, 28)
    model = glorot(MODELS[cfg["model"]]())
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], eps=1e-7)
    bs = cfg["batch"]
    steps_per_epoch = (len(x) + bs - 1) // bs
    warmup_steps = cfg.get("warmup_epochs", 0) * steps_per_epoch
    speeds, step = [], 0
    for _ in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(x))
        t0 = time.perf_counter()
        for i in range(0, len(x), bs):
            step += 1
            xb = x[perm[i : i + bs]]
            kl_weight = min(1.0, step / warmup_steps) if warmup_steps else 1.0
            opt.zero_grad()
            out, extra = model(xb)
            loss, _ = loss_terms(out, xb, extra, kl_weight)
            loss.backward()
            opt.step()
        speeds.append(len(x) / (time.perf_counter() - t0))
    model.eval()
    with torch.no_grad():
        out, extra = model(xv)
        total, recon = loss_terms(out, xv, extra, 1.0)
    print(json.dumps({"samples_per_sec": speeds, "val_loss": total.item(), "val_recon_loss": recon.item(), "torch": torch.__version__}))


main()
