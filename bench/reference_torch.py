"""PyTorch references for `npm run bench`: the same models, data, batch, optimizer and initialisation
as Bottleneck's templates (Glorot-uniform kernels, zero biases, as tfjs-layers initialises them;
Adam with Keras' epsilon 1e-7). Prints one JSON object: samples/s per epoch and the final
validation losses, computed exactly as Bottleneck computes them (BCE per pixel; for the VAE,
+ β·KL per image / 784 with a linear warm-up over the first epoch's steps), and `env`: what this
process runs on (torch version, threads, CUDA, and which BLAS library its matrix products call,
read from the process itself, with a measured GFLOP/s).

`reference_torch.py --probe '{"threads": 2}'` prints only `env`. With `"device": "cuda"` in the
configuration the model trains on the GPU (the data uploaded once)."""
import ctypes, gzip, json, os, re, struct, sys, time
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


def mapped_libraries():
    """(start, end, path) of every file mapped into this process (Linux only; [] elsewhere)."""
    regions = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(maxsplit=5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    lo, hi = (int(x, 16) for x in parts[0].split("-"))
                    regions.append((lo, hi, parts[5].strip()))
    except OSError:
        pass
    return regions


def symbol_provider(symbol, regions):
    """The file whose code `symbol` resolves to in this process, as the dynamic linker binds
    libtorch's references: the global scope first, then libtorch_cpu's own dependencies in load
    order. None when no loaded library exports it (a BLAS linked in statically, or none)."""
    def where(fn):
        addr = ctypes.cast(fn, ctypes.c_void_p).value
        for lo, hi, path in regions:
            if lo <= addr < hi:
                return path
        return None

    try:
        return where(getattr(ctypes.CDLL(None), symbol))
    except (AttributeError, OSError):
        pass
    for path in sorted({p for _, _, p in regions if re.search(r"libtorch_cpu[.]", os.path.basename(p))}):
        try:
            return where(getattr(ctypes.CDLL(path), symbol))
        except (AttributeError, OSError):
            pass
    return None


def openblas_details(provider):
    """OpenBLAS's own description of itself (version, kernel, threads), where the provider is OpenBLAS."""
    try:
        lib = ctypes.CDLL(provider)
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {"config": lib.openblas_get_config().decode(), "threads": lib.openblas_get_num_threads()}
    except (AttributeError, OSError):
        return None


def sgemm_gflops(m=128, k=784, n=256, seconds=0.3):
    """Measured float32 matrix product speed at this process's settings, on the dense-ae's first
    layer (a batch of 128 against 784×256): the figure that separates an optimised BLAS from the
    reference one (about 80 against 4 GFLOP/s on one core of the bench machine)."""
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        a @ b
    count, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        count += 1
    return round(2 * m * k * n * count / (time.perf_counter() - t0) / 1e9, 1)


def environment(threads):
    """What this process computes on, measured from inside it (the bench decides on `blas`)."""
    torch.set_num_threads(threads)
    gflops = sgemm_gflops()  # also makes sure the BLAS library is loaded and called
    regions = mapped_libraries()
    provider = symbol_provider("sgemm_", regions)
    build = dict(re.findall(r"(BLAS_INFO|LAPACK_INFO|USE_MKLDNN|USE_OPENMP)=([^,\s]+)", torch.__config__.show()))
    blas_like = re.compile(r"blas|lapack|mkl|blis|atlas|accelerate|veclib", re.I)
    alternative = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "python": sys.executable,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "cuda": cuda,
        "cuda_device": torch.cuda.get_device_name(0) if cuda else None,
        "blas": {
            "sgemm_provider": os.path.realpath(provider) if provider else None,
            "mapped": sorted({p for _, _, p in regions if blas_like.search(os.path.basename(p))}),
            "mkl_available": bool(torch.backends.mkl.is_available()),
            "mkldnn_available": bool(torch.backends.mkldnn.is_available()),
            "build": build,
            "openblas": openblas_details(provider) if provider and "openblas" in provider.lower() else None,
            "system_alternative": os.path.realpath(alternative) if os.path.exists(alternative) else None,
            "ld_library_path": os.environ.get("LD_LIBRARY_PATH"),
            "openblas_num_threads_env": os.environ.get("OPENBLAS_NUM_THREADS"),
            "sgemm_gflops": gflops,
            "sgemm_shape": "128x784 @ 784x256, float32",
        },
    }


def loss_terms(out, x, extra, kl_weight):
    recon = F.binary_cross_entropy(out.clamp(1e-7, 1 - 1e-7), x)
    if extra is None:
        return recon, recon
    mu, logvar = extra
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)).mean() / 784
    return recon + kl_weight * kl, recon


def main():
    if sys.argv[1] == "--probe":
        cfg = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
        print(json.dumps(environment(cfg.get("threads", 2))))
        return
    cfg = json.loads(sys.argv[1])
    env = environment(cfg.get("threads", 2))
    device = torch.device(cfg.get("device", "cpu"))
    cuda = device.type == "cuda"
    torch.manual_seed(cfg["seed"])
    root = Path(cfg["data"])
    # On the GPU the data is uploaded once and batches are sliced there, as Bottleneck's GPU path does.
    x = read_idx(root / "train-images.idx.gz").to(device).float().div(255).view(-1, 1, 28, 28)
    xv = read_idx(root / "test-images.idx.gz").to(device).float().div(255).view(-1, 1, 28, 28)
    model = glorot(MODELS[cfg["model"]]()).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], eps=1e-7)
    bs = cfg["batch"]
    steps_per_epoch = (len(x) + bs - 1) // bs
    warmup_steps = cfg.get("warmup_epochs", 0) * steps_per_epoch
    speeds, step = [], 0
    for _ in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(x), device=device)
        if cuda:
            torch.cuda.synchronize()
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
        if cuda:
            torch.cuda.synchronize()
        speeds.append(len(x) / (time.perf_counter() - t0))
    model.eval()
    with torch.no_grad():
        out, extra = model(xv)
        total, recon = loss_terms(out, xv, extra, 1.0)
    print(json.dumps({"samples_per_sec": speeds, "val_loss": total.item(), "val_recon_loss": recon.item(), "torch": torch.__version__, "device": str(device), "env": env}))


main()
