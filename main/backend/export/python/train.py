"""
Continues training an autoencoder exported from Bottleneck, with the app's loss terms, optimizer,
batches and validation loss. One process, or many under torchrun (DistributedDataParallel):

    python train.py --data builtin --epochs 5
    torchrun --nproc_per_node=4 train.py --data builtin --epochs 5
"""
import argparse
import csv
import gzip
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model as exported  # noqa: E402

EVAL_BATCH = 256
KL_EPSILON = 1e-7
EPSILON = 1e-7
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
IDX_FILES = ("train-images.idx.gz", "train-labels.idx.gz", "test-images.idx.gz", "test-labels.idx.gz")


# --- The app's seeded generator (mulberry32) and shuffle, so the batches are the app's. ---

def seeded_random(seed):
    state = [seed & 0xFFFFFFFF]

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def random():
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return random


def shuffled_indices(count, random):
    idx = list(range(count))
    for i in range(count - 1, 0, -1):
        j = math.floor(random() * (i + 1))
        idx[i], idx[j] = idx[j], idx[i]
    return idx


# --- Data, read as the app reads it. ---

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims).copy()


def load_builtin(folder, ref):
    train_x = read_idx(os.path.join(folder, "train-images.idx.gz"))
    train_y = read_idx(os.path.join(folder, "train-labels.idx.gz"))
    val_x = read_idx(os.path.join(folder, "test-images.idx.gz"))
    val_y = read_idx(os.path.join(folder, "test-labels.idx.gz"))
    if train_x.ndim == 3:
        train_x, val_x = train_x[..., None], val_x[..., None]
    if ref.get("classes") is not None:  # the training split keeps these classes; validation keeps all
        keep = np.isin(train_y, ref["classes"])
        train_x, train_y = train_x[keep], train_y[keep]
    n_train = ref.get("train", len(train_x))
    n_val = ref.get("validation", len(val_x))
    return (train_x[:n_train], train_y[:n_train]), (val_x[:n_val], val_y[:n_val])


def stratified_split(labels, split, seed):
    """The app's split: round(split × n) of each class (at least 1 when n ≥ 2) to validation, seeded."""
    by_class = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    random = seeded_random(seed)
    train, validation = [], []
    for label in sorted(by_class):
        idx = by_class[label]
        for i in range(len(idx) - 1, 0, -1):
            j = math.floor(random() * (i + 1))
            idx[i], idx[j] = idx[j], idx[i]
        held = 0 if len(idx) < 2 else max(1, js_round(split * len(idx)))
        validation += idx[:held]
        train += idx[held:]
    return sorted(train), sorted(validation)


def js_round(x):
    return math.floor(x + 0.5)


def scan_folder(root):
    """Image files under root (hidden entries skipped), labels from the first subfolder."""
    files = []

    def walk(folder):
        for name in sorted((n for n in os.listdir(folder) if not n.startswith(".")), key=lambda n: (n.casefold(), n)):
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                walk(path)
            elif os.path.isfile(path) and name.lower().endswith(IMAGE_EXTENSIONS) and os.path.getsize(path) > 0:
                parts = os.path.relpath(path, root).split(os.sep)
                files.append((path, parts[0] if len(parts) > 1 else "unlabeled"))

    walk(root)
    return files


class TooLarge(Exception):
    pass


def fitted(im, size, fit, fill):
    from PIL import Image, ImageOps

    if fit == "cover":
        return ImageOps.fit(im, size, Image.LANCZOS)
    if fit == "contain":
        return ImageOps.pad(im, size, Image.LANCZOS, color=fill)
    return im.resize(size, Image.LANCZOS)


def decode_image(path, p, max_pixels):
    """One image as the app decodes it: its first frame, transparency onto p's background, fitted, in p's colour.
    Larger than max_pixels (the app's limit, core/limits.ts, from config.json): TooLarge, as the app skips it."""
    from PIL import Image

    with Image.open(path) as im:  # reads the header only
        width, height = im.size
        if width * height > max_pixels:  # checked before decoding
            raise TooLarge(f"{width}×{height} is {js_round(width * height / 1e6):,} megapixels; images up to {max_pixels // 1_000_000} megapixels are read")
        im.seek(0)
        im = im.convert("RGBA")
        size = (p["width"], p["height"])
        if p["background"] == "alpha":  # kept as a last channel; padding is transparent
            im = fitted(im, size, p["fit"], (0, 0, 0, 0))
            colour = np.asarray(im.convert("L" if p["channels"] == 1 else "RGB"), dtype=np.uint8)
            array = np.dstack([colour.reshape(p["height"], p["width"], -1), np.asarray(im.getchannel("A"), dtype=np.uint8)])
        else:
            fill = (255, 255, 255) if p["background"] == "white" else (0, 0, 0)
            im = Image.alpha_composite(Image.new("RGBA", im.size, fill + (255,)), im).convert("RGB")
            im = fitted(im, size, p["fit"], fill)
            array = np.asarray(im.convert("L") if p["channels"] == 1 else im, dtype=np.uint8)
    return array.reshape(p["height"], p["width"], -1)


def load_folder(root, ref, max_pixels):
    """Every image under root as the app reads it; files it would skip are skipped, and listed."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # max_pixels is the limit, as in the app
    p = ref["preprocessing"]
    if not os.path.isdir(root):
        raise SystemExit(f"--data {root}: no such folder")
    images, labels, skipped = [], [], 0
    for path, label in scan_folder(root):
        try:
            images.append(decode_image(path, p, max_pixels))
            labels.append(label)
        except TooLarge as err:
            skipped += 1
            print(f"skipped {path}: too large: {err}", file=sys.stderr)
        except Exception as err:  # skipped, as the app skips files it cannot decode
            skipped += 1
            print(f"skipped {path}: cannot decode: {err}", file=sys.stderr)
    if not images:
        raise SystemExit(f"--data {root}: no image could be read (looked for {' '.join(IMAGE_EXTENSIONS)}; {skipped} files skipped)")
    print(f"read {len(images)} images from {root}{f', {skipped} skipped' if skipped else ''}", file=sys.stderr)
    names = sorted(set(labels))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[label] for label in labels], dtype=np.uint8)
    x = np.stack(images)
    train, validation = stratified_split(list(y), p["validationSplit"], p["seed"])
    (tx, ty), (vx, vy) = (x[train], y[train]), (x[validation], y[validation])
    if ref.get("classes") is not None:
        keep = np.isin(ty, ref["classes"])
        tx, ty = tx[keep], ty[keep]
    return (tx, ty), (vx, vy)


def load_data(arg, config):
    ref = config["dataset"]
    if ref["kind"] != "builtin":
        return load_folder(ref["path"] if arg in (None, "builtin") else arg, ref, config["maxImagePixels"])
    folder = os.path.join(HERE, "data") if arg in (None, "builtin") else arg
    if all(os.path.exists(os.path.join(folder, name)) for name in IDX_FILES):
        return load_builtin(folder, ref)
    if not os.path.isdir(folder):
        raise SystemExit(f"--data {arg}: no such folder (give builtin, a folder with {', '.join(IDX_FILES)}, or a folder of images)")
    # A folder of images for a run trained on the built-in set: read at the model's input, as the app reads folders.
    return load_folder(folder, {"preprocessing": config["folderPreprocessing"]}, config["maxImagePixels"])


# --- The app's loss terms (core/train/losses.ts). ---

def reconstruction_loss(kind, prediction, target):
    if kind == "mse":
        return torch.mean((prediction - target) ** 2)
    p = torch.clamp(prediction, EPSILON, 1 - EPSILON)
    return -torch.mean(target * torch.log(p) + (1 - target) * torch.log(1 - p))


def loss_terms(spec, outputs, target, kl_weight):
    """[total, recon, sparsity, kl] for one batch, as the app computes them."""
    reconstruction, code, mean, logvar = outputs
    recon = reconstruction_loss(spec["reconstruction"], reconstruction, target)
    zero = recon.new_zeros(())
    sparsity, kl = zero, zero
    s = spec.get("sparsity")
    if s and s["kind"] == "l1":
        sparsity = s["weight"] / spec["inputSize"] * torch.mean(torch.sum(torch.abs(code), -1))
    elif s and s["kind"] == "kl":
        rho = s["rho"]
        rho_hat = torch.clamp(torch.mean(code, 0), KL_EPSILON, 1 - KL_EPSILON)
        divergence = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
        sparsity = s["weight"] / spec["inputSize"] * torch.sum(divergence)
    if spec.get("variational") and mean is not None:
        per_image = -0.5 * torch.sum(1 + logvar - mean ** 2 - torch.exp(logvar), -1)
        kl = torch.mean(per_image) / spec["inputSize"]
    total = recon + sparsity + kl_weight * kl
    return torch.stack([total, recon, sparsity, kl])


def kl_weight_at(spec, step, steps_per_epoch):
    """β times the linear warm-up factor at a global step (counted from 1)."""
    v = spec.get("variational")
    if not v:
        return 0.0
    if v["warmupEpochs"] <= 0:
        return v["beta"]
    return v["beta"] * min(1.0, step / (v["warmupEpochs"] * steps_per_epoch))


TERMS = ["loss", "recon_loss", "sparsity_loss", "kl_loss"]


# --- Optimizers as tfjs builds them (core/train/train.ts makeOptimizer). ---

class TfRMSprop(torch.optim.Optimizer):
    """tfjs' RMSprop: ms = ρ·ms + (1 − ρ)·g²; mom = μ·mom + lr·g / sqrt(ms + ε); w −= mom (ε inside the root)."""

    def __init__(self, params, lr, decay=0.9, momentum=0.0, eps=1e-7):
        super().__init__(params, dict(lr=lr, decay=decay, momentum=momentum, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["rms"] = torch.zeros_like(p)
                    state["momentum"] = torch.zeros_like(p)
                    state["step"] = torch.tensor(0.0)
                ms, mom = state["rms"], state["momentum"]
                ms.mul_(group["decay"]).addcmul_(p.grad, p.grad, value=1 - group["decay"])
                mom.mul_(group["momentum"]).add_(group["lr"] * p.grad / torch.sqrt(ms + group["eps"]))
                p.sub_(mom)
                state["step"] += 1


def learning_rate_at(settings, step, steps_per_epoch):
    """The app's schedule (core/train/schedule.ts): constant, step or cosine, after a linear warm-up, at a global step (from 1)."""
    lr = settings["learningRate"]
    s = {"kind": "constant", "warmupEpochs": 0, "stepEvery": 10, "stepFactor": 0.5, "floor": 0, "length": 0, **settings.get("schedule", {})}
    position = (step - 1) / steps_per_epoch
    warmup = s["warmupEpochs"]
    warm = min(1.0, step / (warmup * steps_per_epoch)) if warmup > 0 else 1.0
    if s["kind"] == "step":
        return lr * warm * s["stepFactor"] ** math.floor(position / s["stepEvery"])
    if s["kind"] == "cosine":
        span = (s["length"] if s["length"] > 0 else settings["epochs"]) - warmup
        progress = min(1.0, max(0.0, position - warmup) / span) if span > 0 else 1.0
        bottom = lr * s["floor"]
        return warm * (bottom + (lr - bottom) * 0.5 * (1 + math.cos(math.pi * progress)))
    return lr * warm


@torch.no_grad()
def apply_step(optimizer, settings, lr):
    """Sets this step's learning rate, shrinks the weights by lr × weight decay (decoupled, as the app and AdamW do, for every optimizer), then steps."""
    decay = settings.get("weightDecay", 0)
    for group in optimizer.param_groups:
        group["lr"] = lr
        if decay > 0:
            for p in group["params"]:
                p.mul_(1 - lr * decay)
    optimizer.step()


def make_optimizer(settings, params):
    name, lr = settings["optimizer"], settings["learningRate"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=settings["momentum"])
    if name == "rmsprop":
        return TfRMSprop(params, lr=lr)
    # tfjs' Adam: β 0.9 / 0.999, ε 1e-7 outside the root, bias correction by step: what torch's Adam computes.
    return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)


def load_optimizer_state(optimizer, model, path, settings):
    """Puts the app's optimizer slots (optimizer.npz) into the PyTorch optimizer."""
    arrays = np.load(path)
    step = float(np.asarray(arrays["iter"]))
    name = settings["optimizer"]
    for app_name, param_path, kind, _, trainable in exported.APP_WEIGHTS:
        if not trainable:
            continue
        p = exported.tensor_at(model, param_path)
        slot = lambda suffix: exported.to_torch(kind, arrays[f"{app_name}/{suffix}"]).to(p.device)
        if name == "adam":
            optimizer.state[p] = {"step": torch.tensor(step), "exp_avg": slot("m"), "exp_avg_sq": slot("v")}
        elif name == "sgd" and settings["momentum"] > 0:
            optimizer.state[p] = {"momentum_buffer": slot("momentum")}
        elif name == "rmsprop":
            optimizer.state[p] = {"rms": slot("rms"), "momentum": slot("momentum"), "step": torch.tensor(step)}


# --- Distributed set-up. ---

class AppOrderSampler(DistributedSampler):
    """DistributedSampler over the app's batches: each epoch's order is the app's seeded shuffle; each
    global batch of batch_size rows is dealt to the ranks (rank r takes rows r, r + W, …), so together
    they train on exactly the app's batch. Yields one list of indices per batch (a batch_sampler)."""

    def __init__(self, count, batch_size, seed, start_epoch, num_replicas, rank):
        self.count, self.batch_size = count, batch_size
        self.num_replicas, self.rank, self.epoch = num_replicas, rank, start_epoch
        self.random = seeded_random(seed)
        self.start = start_epoch
        self.orders = []
        for _ in range(start_epoch):  # replay the finished epochs' shuffles, as the app does on resume
            shuffled_indices(count, self.random)

    def order(self, epoch):
        """The order of epoch (counted from 0): the app's epoch + 1."""
        while len(self.orders) <= epoch - self.start:
            self.orders.append(shuffled_indices(self.count, self.random))
        return self.orders[epoch - self.start]

    def __iter__(self):
        order = self.order(self.epoch)
        for start in range(0, self.count, self.batch_size):
            batch = order[start:start + self.batch_size]
            mine = batch[self.rank::self.num_replicas]
            # A short last batch may leave a rank no rows; DDP still needs its forward and backward,
            # so it runs one row of the batch with weight 0 (False: these rows do not count).
            yield (mine, len(batch), True) if mine else (batch[:1], len(batch), False)

    def __len__(self):
        return math.ceil(self.count / self.batch_size)


def setup_distributed(device_arg):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() and device_arg != "cpu"
    if cuda:
        torch.cuda.set_device(local_rank)
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    return world, rank, device


def all_sum(tensor, world):
    if world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def evaluate(model, spec, images, kl_weight, device):
    """The app's validation loss: every validation image, batches of 256, eval mode, terms weighted by rows."""
    model.eval()
    sums = torch.zeros(4, dtype=torch.float32)
    with torch.no_grad():
        for start in range(0, len(images), EVAL_BATCH):
            x = torch.from_numpy(images[start:start + EVAL_BATCH]).to(device).float() / 255
            sums += loss_terms(spec, model.forward_terms(x), x, kl_weight).cpu() * len(x)
    model.train()
    return (sums / len(images)).tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="builtin (the data/ folder), a folder of Fashion-MNIST idx.gz files, or the image folder")
    parser.add_argument("--epochs", type=int, default=None, help="epochs to train from here")
    parser.add_argument("--out", default=HERE, help="where metrics.csv and checkpoints/ go")
    parser.add_argument("--resume", default=None, help="a checkpoints/epoch-N.pt to continue from instead of weights.npz")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = parser.parse_args()

    with open(os.path.join(HERE, "config.json")) as f:
        config = json.load(f)
    settings, spec = config["training"], config["loss"]
    world, rank, device = setup_distributed(args.device)
    torch.manual_seed(settings["seed"] * 1000 + rank)

    (train_x, _), (val_x, _) = load_data(args.data, config)
    if len(train_x) == 0:
        raise SystemExit("the dataset has no training images")
    batch_size = min(settings["batchSize"], len(train_x))
    steps_per_epoch = math.ceil(len(train_x) / batch_size)

    model = exported.Autoencoder()
    exported.load_app_weights(model, os.path.join(HERE, "weights.npz"))
    model.to(device)
    start_epoch = config["epoch"]
    optimizer = make_optimizer(settings, [p for p in model.parameters() if p.requires_grad])
    if config.get("optimizerState"):
        load_optimizer_state(optimizer, model, os.path.join(HERE, config["optimizerState"]["file"]), settings)
    if args.resume:
        saved = torch.load(args.resume, map_location=device)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        start_epoch = saved["epoch"]
    for layer in model.modules():
        if isinstance(layer, exported.RandomMask):
            layer.seed(settings["seed"] * 1000 + rank + start_epoch)
    step = start_epoch * steps_per_epoch
    epochs = args.epochs if args.epochs is not None else (settings["epochs"] - start_epoch if settings["epochs"] > start_epoch else settings["epochs"])

    net = model
    if world > 1:
        if device.type == "cuda":
            net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        net = DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None)
    sampler = AppOrderSampler(len(train_x), batch_size, settings["seed"], start_epoch, world, rank)
    train_images = torch.from_numpy(np.ascontiguousarray(train_x))
    model.train()

    os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
    metrics_path = os.path.join(args.out, "metrics.csv")
    columns = ["epoch"] + TERMS + ["val_" + t for t in TERMS]
    if rank == 0 and not os.path.exists(metrics_path):
        with open(metrics_path, "w", newline="") as f:
            csv.writer(f).writerow(columns)

    for epoch in range(start_epoch + 1, start_epoch + epochs + 1):
        sampler.set_epoch(epoch - 1)
        sums = torch.zeros(5, dtype=torch.float64)
        for indices, global_count, counts in sampler:
            step += 1
            kl_weight = kl_weight_at(spec, step, steps_per_epoch)
            x = train_images[indices].to(device).float() / 255
            optimizer.zero_grad(set_to_none=True)
            rows = len(indices) if counts else 0
            terms = loss_terms(spec, net(x, terms=True), x, kl_weight)
            # DDP averages the ranks' gradients: weigh each by its rows so the step is the global batch's mean.
            objective = terms[0] * (rows * world / global_count)
            objective.backward()
            apply_step(optimizer, settings, learning_rate_at(settings, step, steps_per_epoch))
            sums += torch.cat([terms.detach().cpu().double() * rows, torch.tensor([float(rows)], dtype=torch.float64)])
        sums = all_sum(sums.to(device) if device.type == "cuda" else sums, world).cpu()
        train_terms = (sums[:4] / sums[4]).tolist()
        if not all(math.isfinite(v) for v in train_terms):
            raise SystemExit(f"the loss became {train_terms[0]} at epoch {epoch}: training diverged; try a lower learning rate")
        if rank == 0:
            val_terms = evaluate(model, spec, val_x, kl_weight_at(spec, step, steps_per_epoch), device)
            with open(metrics_path, "a", newline="") as f:
                csv.writer(f).writerow([epoch] + [f"{v:.7g}" for v in train_terms + val_terms])
            print(f"epoch {epoch}: loss {train_terms[0]:.6f}, val_loss {val_terms[0]:.6f}", flush=True)
            base = os.path.join(args.out, "checkpoints", f"epoch-{epoch}")
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch, "step": step}, base + ".pt")
            np.savez(base + ".npz", **exported.app_weights(model))
        if world > 1:
            dist.barrier()
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
