"""Streaming statistics of the images that reached a model, in bounded memory.

A script may predict on millions of images, so nothing here keeps the images: per-channel
sums and extremes, a fixed-size random sample of pixel values for the histograms, and the
hashes of at most ``MAX_HASHES`` images (enough to see one image repeated).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

CHUNK = 64  # images per step: bounds the float64 temporaries
RESERVOIR = 20_000  # pixels kept for the histograms
PER_BATCH = 4_096  # pixels of each batch offered to them
MAX_HASHES = 100_000


@dataclass
class ChannelStats:
    """Per-channel count, min, max, mean and standard deviation, updated chunk by chunk."""

    channels: int
    count: int = 0
    low: np.ndarray = None
    high: np.ndarray = None
    total: np.ndarray = None
    squares: np.ndarray = None

    def __post_init__(self):
        self.low = np.full(self.channels, np.inf)
        self.high = np.full(self.channels, -np.inf)
        self.total = np.zeros(self.channels)
        self.squares = np.zeros(self.channels)

    def add(self, images: np.ndarray) -> None:
        """``images``: (..., channels); float64 sums so a long run does not drift."""
        # one channel per row: reductions along contiguous memory are ~10x faster than down columns
        rows = np.ascontiguousarray(images.reshape(-1, self.channels).T)
        if not rows.shape[1]:
            return
        total = rows.sum(axis=1, dtype=np.float64)
        if not np.isfinite(total).all():  # NaN or inf somewhere: measure the finite pixels only
            rows = rows[:, np.isfinite(rows).all(axis=0)]
            if not rows.shape[1]:
                return
            total = rows.sum(axis=1, dtype=np.float64)
        self.count += rows.shape[1]
        self.low = np.minimum(self.low, rows.min(axis=1))
        self.high = np.maximum(self.high, rows.max(axis=1))
        self.total += total
        self.squares += np.einsum("ij,ij->i", rows, rows, dtype=np.float64)

    @property
    def mean(self) -> np.ndarray:
        return self.total / max(self.count, 1)

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(np.maximum(self.squares / max(self.count, 1) - np.square(self.mean), 0.0))

    def as_dict(self) -> dict:
        return {"min": _floats(self.low), "max": _floats(self.high), "mean": _floats(self.mean),
                "std": _floats(self.std), "values": self.count}


@dataclass
class Reservoir:
    """A random sample of at most ``size`` pixels of everything offered, for the histograms.

    Each offered batch contributes ``PER_BATCH`` random pixels to a reservoir (Vitter's
    algorithm R) over those: a fair sample across batches of similar size, at a cost that does
    not grow with the image size. Its own random generator: the script's numpy and
    TensorFlow seeds are never touched.
    """

    channels: int
    size: int = RESERVOIR
    seen: int = 0
    rows: np.ndarray = None
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def __post_init__(self):
        self.rows = np.empty((0, self.channels), np.float32)

    def add(self, images: np.ndarray) -> None:
        flat = images.reshape(-1, self.channels)
        if not len(flat):
            return
        if len(flat) > PER_BATCH:
            flat = flat[self.rng.integers(0, len(flat), PER_BATCH)]
        flat = flat.astype(np.float32)
        room = self.size - len(self.rows)
        if room > 0:
            self.rows = np.concatenate([self.rows, flat[:room]])
            self.seen += min(room, len(flat))
            flat = flat[room:]
        if not len(flat):
            return
        # each new row i (global index seen + i) replaces a kept row with probability size / (index + 1)
        index = self.seen + np.arange(len(flat))
        slots = (self.rng.random(len(flat)) * (index + 1)).astype(np.int64)
        keep = slots < self.size
        self.rows[slots[keep]] = flat[keep]
        self.seen += len(flat)


@dataclass
class ImageStats:
    """What one call site received: shapes, dtypes, values, and how many distinct images."""

    channels: int
    values: ChannelStats = None
    sample: Reservoir = None
    images: int = 0  # given to the model
    measured: int = 0  # of them, measured (all, or a sample pushed through the layers in front of a base)
    hashes: set = field(default_factory=set)
    repeats_in_batch: int = 0  # images equal to an earlier one of the same call
    hashed: int = 0

    def __post_init__(self):
        self.values = ChannelStats(self.channels)
        self.sample = Reservoir(self.channels)

    def count(self, batch: np.ndarray, hash_images: bool) -> None:
        """The images as the call got them (images, ..., channels): counted, and hashed if asked."""
        self.images += len(batch)
        if not hash_images:
            return
        seen_in_call: set[bytes] = set()
        for image in batch:
            if image.size and image.min() == image.max():  # blank images (warm-up calls): not evidence
                continue
            digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).digest()
            self.repeats_in_batch += digest in seen_in_call
            seen_in_call.add(digest)
            self.hashed += 1
            if len(self.hashes) < MAX_HASHES:
                self.hashes.add(digest)

    def measure(self, batch: np.ndarray) -> None:
        """The values that reached the model (images, ..., channels), chunk by chunk."""
        for start in range(0, len(batch), CHUNK):
            chunk = np.asarray(batch[start:start + CHUNK])
            self.values.add(chunk)
            self.sample.add(chunk)
        self.measured += len(batch)

    @property
    def distinct(self) -> int:
        return len(self.hashes)


@dataclass
class Predictions:
    """Top-1 classes of a classifier's outputs, and whether they looked like class probabilities."""

    top1: Counter = field(default_factory=Counter)
    probabilities: bool | None = None  # every row >= 0 and summing to 1 (softmax): a classifier

    def add(self, outputs: np.ndarray) -> None:
        if outputs.ndim != 2 or outputs.shape[1] < 2 or not np.issubdtype(outputs.dtype, np.number) or not len(outputs):
            return
        rows = outputs.astype(np.float64)
        softmax = bool((rows >= -1e-6).all() and np.allclose(rows.sum(axis=1), 1.0, atol=1e-2))
        self.probabilities = softmax if self.probabilities is None else self.probabilities and softmax
        self.top1.update(int(i) for i in np.argmax(rows, axis=1))

    @property
    def count(self) -> int:
        return sum(self.top1.values())


def _floats(values: np.ndarray) -> list[float | None]:
    """JSON-ready: None where nothing finite was measured."""
    return [round(float(v), 4) if np.isfinite(v) else None for v in values]
