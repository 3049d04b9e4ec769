"""What reached each model call site of the watched script.

A call site is one line of the user's code calling one entry point (``predict``, ``fit``,
``model(x)``...) of one model. Observations arrive from the script's thread and from
tf.data's threads, so a site is updated under the recorder's lock.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .models import Application, Registry
from .stats import ImageStats, Predictions

INFERENCE = ("predict", "__call__", "predict_on_batch")
FRONT_SAMPLE = 8  # images per call pushed through the layers in front of a base model
CHANNELS = (1, 2, 3, 4)  # the last axis of channels-last images


@dataclass
class Site:
    path: str
    line: int
    entry: str  # predict, __call__, predict_on_batch, fit, evaluate
    model: str  # the model's name
    app: Application | None  # the pre-trained base the input reaches
    front: tuple[str, ...]  # the layers in front of that base
    front_known: bool  # False: the input the base gets could not be computed
    calls: int = 0
    shapes: Counter = field(default_factory=Counter)  # batches by the shape of one image, at the base
    singles: Counter = field(default_factory=Counter)  # of them, single images passed without a batch axis
    ranks: Counter = field(default_factory=Counter)
    dtypes: Counter = field(default_factory=Counter)
    stats: ImageStats | None = None
    predictions: Predictions = field(default_factory=Predictions)
    unobserved: int = 0  # calls or batches cnnlint could not read (dicts, several inputs, channels first...)
    torch: object = None  # runtime.torch.TorchModel: a PyTorch model with known weights
    train_mode_inference: int = 0  # PyTorch: calls with gradients off while the model was in training mode

    @property
    def inference(self) -> bool:
        return self.entry in INFERENCE

    @property
    def classifier(self) -> bool:
        """Whether the outputs were class probabilities (softmax rows): not a feature extractor."""
        return bool(self.predictions.count and self.predictions.probabilities)

    @property
    def label(self) -> str:
        call = "model(x)" if self.entry == "__call__" else f".{self.entry}()"
        return f"{self.model} {call}"

    def observe(self, x: np.ndarray, front) -> None:
        """One batch (or one unbatched image) as the model got it."""
        single = x.ndim == 3
        if single:  # a single image where a batch belongs: keep it for CNN203, measure it as one
            self.ranks[3] += 1
            x = x[None]
        else:
            self.ranks[x.ndim] += 1
        if x.ndim != 4 or not x.shape[-1]:
            return
        if x.shape[-1] not in CHANNELS:  # channels first, or not images: nothing to say about values
            self.unobserved += 1
            return
        reached = np.asarray(front(x[:FRONT_SAMPLE])) if callable(front) else x
        if reached.ndim != 4:
            return
        self.shapes[tuple(int(d) for d in reached.shape[1:])] += 1
        self.singles[tuple(int(d) for d in reached.shape[1:])] += single
        self.dtypes[str(reached.dtype)] += 1
        if self.stats is None:
            self.stats = ImageStats(reached.shape[-1])
        self.stats.count(x, hash_images=self.inference)
        if reached.shape[-1] == self.stats.channels:
            self.stats.measure(reached)


    def observe_torch(self, sample: np.ndarray, single: bool, total: int) -> None:
        """A PyTorch call: ``sample`` (images, height, width, channels) of the ``total`` images it passed."""
        self.ranks[3 if single else 4] += 1
        self.shapes[tuple(int(d) for d in sample.shape[1:])] += 1
        self.dtypes["float32"] += 1
        if self.stats is None:
            self.stats = ImageStats(sample.shape[-1])
        self.stats.images += total - len(sample)
        self.stats.count(sample, hash_images=True)
        if sample.shape[-1] == self.stats.channels:
            self.stats.measure(sample)


class Recorder:
    """Call sites by (path, line, entry, model), in the order they were first reached."""

    def __init__(self):
        self.sites: dict[tuple, Site] = {}
        self.registry = Registry()
        self.lock = threading.RLock()
        self.failures: list[str] = []  # cnnlint's own errors while watching, one line each

    def failed(self, error: BaseException) -> None:
        if len(self.failures) < 20:
            text = re.sub(r"\x1b\[[0-9;]*m", "", " ".join(str(error).split()))  # Keras colours its messages
            self.failures.append(f"{type(error).__name__}: {text[:300]}")

    def torch_site(self, path: str, line: int, model, described) -> Site:
        """The site of a call of a watched PyTorch model."""
        with self.lock:
            key = (path, line, "__call__", id(model))
            if key not in self.sites:
                self.sites[key] = Site(path, line, "__call__", described.name, None, (), True, torch=described)
            return self.sites[key]

    def site(self, path: str, line: int, entry: str, model) -> tuple[Site, object]:
        """The site for this call, and the front to apply to its inputs."""
        with self.lock:
            base, app, front, names = self.registry.base(model)
            key = (path, line, entry, id(model))
            if key not in self.sites:
                self.sites[key] = Site(path, line, entry, getattr(model, "name", type(model).__name__),
                                       app, names, front is not False)
            return self.sites[key], front
