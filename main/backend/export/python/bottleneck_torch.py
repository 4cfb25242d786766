"""
The fixed half of an autoencoder exported from Bottleneck: TensorFlow's padding rules, the app's
training-only blocks, the Autoencoder around the generated Encoder and Decoder (model.py), and the
conversion of weights between the app's layout and PyTorch's.

Images go in and come out as the app holds them: float32 (N, H, W, C) with values in [0, 1].
"""
import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def same_padding(length, kernel, stride):
    """TensorFlow's 'same' padding along one axis: (before, after); the odd pixel goes after."""
    out = -(-length // stride)
    total = max((out - 1) * stride + kernel - length, 0)
    return total // 2, total - total // 2


class TFConv2d(nn.Conv2d):
    """nn.Conv2d with TensorFlow's 'same' padding (asymmetric when the total is odd), NCHW."""

    def __init__(self, in_channels, out_channels, kernel, stride, padding):
        super().__init__(in_channels, out_channels, kernel, stride, padding=0)
        self.tf_padding = padding

    def forward(self, x):
        if self.tf_padding == "same":
            k, s = self.kernel_size[0], self.stride[0]
            top, bottom = same_padding(x.shape[2], k, s)
            left, right = same_padding(x.shape[3], k, s)
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


class TFConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d giving TensorFlow's output size (H·s for 'same', H·s + max(k − s, 0) for 'valid').

    The full transposed convolution is cropped where TF's forward convolution would have padded
    (or padded with zeros when it is shorter), and the bias added after.
    """

    def __init__(self, in_channels, out_channels, kernel, stride, padding, out_size):
        super().__init__(in_channels, out_channels, kernel, stride, padding=0)
        self.tf_padding = padding
        self.out_size = out_size

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        y = F.conv_transpose2d(x, self.weight, None, self.stride)
        (oh, ow), pads = self.out_size, []
        for axis, out in ((3, ow), (2, oh)):
            before = same_padding(out, k, s)[0] if self.tf_padding == "same" else 0
            pads += [-before, out + before - y.shape[axis]]
        return F.pad(y, pads) + self.bias.view(1, -1, 1, 1)


class TFMaxPool2d(nn.Module):
    """Max pooling with TensorFlow's 'same' padding (padded with −∞), NCHW."""

    def __init__(self, pool, stride, padding):
        super().__init__()
        self.pool, self.stride, self.tf_padding = pool, stride, padding

    def forward(self, x):
        if self.tf_padding == "same":
            top, bottom = same_padding(x.shape[2], self.pool, self.stride)
            left, right = same_padding(x.shape[3], self.pool, self.stride)
            x = F.pad(x, (left, right, top, bottom), value=-math.inf)
        return F.max_pool2d(x, self.pool, self.stride)


class GaussianNoise(nn.Module):
    """Adds N(0, stddev²) noise while training (not clipped, as in the app); identity in eval mode."""

    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + self.stddev * torch.randn_like(x) if self.training else x


class RandomMask(nn.Module):
    """Hides random holes of each image while training (every channel of a hidden pixel), as the app's
    RandomMask: rectangles 60–100 % of size·side on each side, or blotches (a short random walk of five
    discs about size·side across); filled with zeros or uniform noise. NHWC. Identity in eval mode.
    The holes are drawn from Python's random module, not the app's stream."""

    def __init__(self, shape, count, size, fill):
        super().__init__()
        self.shape, self.count, self.size, self.fill = shape, count, size, fill
        self.random = random.Random()

    def seed(self, seed):
        self.random.seed(seed)

    def holes(self, height, width):
        r, hidden = self.random.random, np.zeros((height, width), dtype=bool)
        ys, xs = np.mgrid[0:height, 0:width]
        for _ in range(self.count):
            if self.shape == "rectangles":
                h = min(height, max(1, round(self.size * height * (0.6 + 0.4 * r()))))
                w = min(width, max(1, round(self.size * width * (0.6 + 0.4 * r()))))
                top, left = math.floor(r() * (height - h + 1)), math.floor(r() * (width - w + 1))
                hidden[top:top + h, left:left + w] = True
                continue
            r0 = max(0.75, self.size * min(height, width) / 5)
            cx, cy, heading = r() * width, r() * height, r() * 2 * math.pi
            for _ in range(5):
                radius = r0 * (0.6 + 0.4 * r())
                hidden |= (xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2 <= radius * radius
                heading += (r() - 0.5) * 1.5
                cx = min(width, max(0.0, cx + math.cos(heading) * r0 * 0.8))
                cy = min(height, max(0.0, cy + math.sin(heading) * r0 * 0.8))
        return hidden

    def forward(self, x):
        if not self.training:
            return x
        n, height, width, channels = x.shape
        hidden = torch.from_numpy(np.stack([self.holes(height, width) for _ in range(n)])).to(x.device)
        hidden = hidden.unsqueeze(-1).expand(n, height, width, channels)
        fill = torch.rand_like(x) if self.fill == "noise" else torch.zeros_like(x)
        return torch.where(hidden, fill, x)


class AutoencoderBase(nn.Module):
    """Image (N, H, W, C) → reconstruction (N, H, W, C). Training-only blocks act in train() mode only."""

    def __init__(self, encoder, decoder, variational):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.variational = variational

    def encode(self, x):
        """The code; for a VAE, its mean μ (what the app's encoder gives)."""
        out = self.encoder(x)
        return out[0] if self.variational else out

    def forward_terms(self, x):
        """(reconstruction, code, μ, log σ²) as the app's loss needs them; μ and log σ² are None unless a VAE.

        A VAE's code is z = μ + exp(½ log σ²)·ε while training, z = μ in eval mode.
        """
        if self.variational:
            mean, logvar = self.encoder(x)
            code = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean) if self.training else mean
            return self.decoder(code), code, mean, logvar
        code = self.encoder(x)
        return self.decoder(code), code, None, None

    def forward(self, x, terms=False):
        """The reconstruction; with terms=True, forward_terms' tuple (what train.py calls through DDP)."""
        return self.forward_terms(x) if terms else self.forward_terms(x)[0]


def to_torch(kind, array):
    """An app-layout array as the PyTorch tensor of its parameter."""
    t = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    if kind == "linear":  # [in, out] → [out, in]
        return t.t().contiguous()
    if kind in ("conv", "conv_transpose"):  # [kh, kw, in, out] → [out, in, kh, kw]; [kh, kw, out, in] → [in, out, kh, kw]
        return t.permute(3, 2, 0, 1).contiguous()
    return t


def to_app(kind, tensor):
    """A PyTorch parameter as the app lays it out (the inverse of to_torch)."""
    t = tensor.detach().cpu()
    if kind == "linear":
        t = t.t()
    elif kind in ("conv", "conv_transpose"):
        t = t.permute(2, 3, 1, 0)
    return t.contiguous().numpy().astype(np.float32)


def tensor_at(model, path):
    """The parameter or buffer at a dotted path ("encoder.dense_3.weight")."""
    obj = model
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def load_weights(model, table, weights):
    """Puts the app's weights (an .npz path, or a mapping name → array) into the model, by table's rows."""
    arrays = np.load(weights) if isinstance(weights, str) else weights
    with torch.no_grad():
        for name, path, kind, shape, _ in table:
            array = np.asarray(arrays[name])
            if tuple(array.shape) != tuple(shape):
                raise ValueError(f"{name} is {array.shape}, the model needs {shape}")
            tensor_at(model, path).copy_(to_torch(kind, array))
    return model


def weights_of(model, table):
    """The model's weights by the app's names, in the app's layout."""
    return {name: to_app(kind, tensor_at(model, path)) for name, path, kind, _, _ in table}
