"""PyTorch in ``cnnlint run`` and ``watch()``: torchvision, timm and torch.hub models, watched.

The model builders (every torchvision builder, ``get_model``, ``timm.create_model``,
``torch.hub.load``) are wrapped where they live, the moment the script imports torchvision,
timm or torch: cnnlint imports none of them itself. A model built with weights the knowledge
base knows gets a forward pre-hook and a forward hook (``register_forward_pre_hook``): at each
call from the script's own code, they record the input (a sample of the batch, per channel),
``model.training`` and whether gradients were on, and the predictions. The hooks are removed
when the watch ends; they change nothing the model computes.
"""
from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from ..knowledge import torch as torch_knowledge

PACKAGES = ("torch", "torchvision", "timm")
SAMPLE = 16  # images of each call measured (all of them are counted)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_local = threading.local()


@dataclass(frozen=True)
class TorchModel:
    """A model built with known pre-trained weights: what they expect."""

    name: str  # "resnet50", "vit_tiny_patch16_224"
    weights: str  # "ResNet50_Weights.IMAGENET1K_V2", "vit_tiny_patch16_224.augreg_in21k_ft_in1k"
    kind: str  # ImageClassification, ObjectDetection, ...
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    crop: tuple[int, int] | None
    fixed: bool
    hint: str

    @property
    def wants(self) -> str:
        if self.mean is None:
            return "[0, 1] images (it normalises them itself)"
        mean = ", ".join(f"{m:g}" for m in self.mean)
        std = ", ".join(f"{s:g}" for s in self.std)
        return f"[0, 1] images normalised with mean ({mean}) and std ({std})"

    @property
    def describe(self) -> str:
        return f"{self.name} ({self.weights}): {self.wants}"

    @property
    def expects(self) -> str:
        return f"{self.name} ({self.weights}) expects {self.wants}"

    @property
    def band(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per channel, the values black and white pixels get after the weights' Normalize."""
        if self.mean is None:
            return None
        mean, std = np.asarray(self.mean), np.asarray(self.std)
        return (0 - mean) / std, (1 - mean) / std

    @classmethod
    def of(cls, name: str, weights: torch_knowledge.Weights | None) -> TorchModel | None:
        if weights is None or weights.kind not in ("ImageClassification", "ObjectDetection"):
            return None
        mean = weights.mean if weights.kind == "ImageClassification" else None
        std = weights.std if weights.kind == "ImageClassification" else None
        return cls(name, weights.name, weights.kind, mean, std, weights.crop, weights.fixed, weights.hint)


class TorchInstrumentation:
    """Wraps the model builders of torchvision, timm and torch.hub; hooks the models they build."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.undo: list[tuple[dict, str, object]] = []
        self.hooks: list = []  # removable hook handles
        self.models: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.patched: set[str] = set()
        self.finder = None
        self.library_dirs: tuple[str, ...] = ()

    def install(self) -> None:
        from .instrument import _package_dir, _PatchOnImport

        self.library_dirs = tuple(d + os.sep for d in map(_package_dir, PACKAGES) if d)
        pending = [p for p in PACKAGES if p not in sys.modules]
        for package in PACKAGES:
            if sys.modules.get(package) is not None:
                self.patch(sys.modules[package])
        if pending:
            self.finder = _PatchOnImport(self, pending)
            sys.meta_path.insert(0, self.finder)

    def uninstall(self) -> None:
        if self.finder in sys.meta_path:
            sys.meta_path.remove(self.finder)
        for handle in self.hooks:
            try:
                handle.remove()
            except Exception:
                pass
        self.hooks.clear()
        for namespace, name, old in reversed(self.undo):
            namespace[name] = old
        self.undo.clear()

    # -- builders ---------------------------------------------------------------------------
    def patch(self, module) -> None:
        """Wrap the builders of one imported package (torch, torchvision or timm), once."""
        package = module.__name__
        if package in self.patched:
            return
        self.patched.add(package)
        try:
            if package == "torchvision":
                self._patch_torchvision()
            elif package == "timm":
                self._wrap_everywhere("timm.models._factory", "create_model", self._timm)
            elif package == "torch":
                self._wrap_everywhere("torch.hub", "load", self._hub)
        except Exception as error:  # another release than the ones cnnlint knows: watch less
            self.recorder.failed(error)

    def _patch_torchvision(self) -> None:
        import importlib

        for builder in torch_knowledge.torchvision().builders.values():
            module = importlib.import_module(f"torchvision.models.{builder.module}")
            self._wrap_everywhere(module.__name__, builder.function,
                                  lambda original, b=builder: self._torchvision(original, b))
        self._wrap_everywhere("torchvision.models._api", "get_model", self._get_model)

    def _wrap_everywhere(self, module_name: str, name: str, make) -> None:
        """Replace the function in every module that holds it (``from torchvision.models import resnet50``)."""
        module = sys.modules.get(module_name)
        original = getattr(module, name, None) if module is not None else None
        if original is None or getattr(original, "__cnnlint_original__", None) is not None:
            return
        wrapper = make(original)
        wrapper.__cnnlint_original__ = original
        for loaded in list(sys.modules.values()):
            try:
                namespace = object.__getattribute__(loaded, "__dict__")
            except (AttributeError, TypeError):
                continue
            if isinstance(namespace, dict) and namespace.get(name) is original:
                self.undo.append((namespace, name, original))
                namespace[name] = wrapper

    def _built(self, model, described: TorchModel | None):
        if described is not None and model is not None and hasattr(model, "register_forward_pre_hook"):
            try:
                self.watch_model(model, described)
            except Exception as error:
                self.recorder.failed(error)
        return model

    def _torchvision(self, original, builder: torch_knowledge.Builder):
        signature = inspect.signature(original)

        @functools.wraps(original)
        def build(*args, **kwargs):
            model = original(*args, **kwargs)
            return self._built(model, _torchvision_weights(builder, signature, args, kwargs))

        return build

    def _get_model(self, original):
        @functools.wraps(original)
        def build(name, **config):
            model = original(name, **config)
            builder = torch_knowledge.torchvision().builders.get(name)
            described = _torchvision_weights(builder, None, (), config) if builder is not None else None
            return self._built(model, described)

        return build

    def _timm(self, original):
        @functools.wraps(original)
        def build(model_name, pretrained=False, *args, **kwargs):
            model = original(model_name, pretrained, *args, **kwargs)
            described = _timm_weights(model_name) if pretrained else None
            return self._built(model, described)

        return build

    def _hub(self, original):
        @functools.wraps(original)
        def load(repo_or_dir, model, *args, **kwargs):
            built = original(repo_or_dir, model, *args, **kwargs)
            library = torch_knowledge.timm().hub.get(str(repo_or_dir).partition(":")[0]) \
                if kwargs.get("source", "github") == "github" else None
            described = None
            if library == "torchvision" and model in torch_knowledge.torchvision().builders:
                described = _torchvision_weights(torch_knowledge.torchvision().builders[model], None, args, kwargs)
            elif library == "timm" and kwargs.get("pretrained"):
                described = _timm_weights(model)
            return self._built(built, described)

        return load

    # -- models --------------------------------------------------------------------------------
    def watch_model(self, model, described: TorchModel) -> None:
        if model in self.models:
            return
        self.models[model] = described
        self.hooks.append(model.register_forward_pre_hook(self._before, with_kwargs=True))
        self.hooks.append(model.register_forward_hook(self._after))

    def _user_frame(self):
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith((HERE, *self.library_dirs)):
            frame = frame.f_back
        return frame

    def _watched(self, model, observe) -> None:
        """Run ``observe(site, torch)`` for a call of a watched model from the user's code, never failing it."""
        if getattr(_local, "busy", False):
            return
        try:
            _local.busy = True
            frame = self._user_frame()
            described = self.models.get(model)
            if frame is None or described is None:
                return
            import torch

            observe(self.recorder.torch_site(frame.f_code.co_filename, frame.f_lineno, model, described), torch)
        except Exception as error:  # cnnlint's own failure: the script must not notice
            self.recorder.failed(error)
        finally:
            _local.busy = False

    def _before(self, model, args, kwargs):
        def observe(site, torch):
            site.calls += 1
            inference = not torch.is_grad_enabled() or torch.is_inference_mode_enabled() or _exporting(torch)
            if inference and model.training:
                site.train_mode_inference += 1
            seen = _images(args[0] if args else next(iter(kwargs.values()), None), torch)
            if seen is None:
                site.unobserved += 1
                return
            with self.recorder.lock:
                site.observe_torch(*seen)

        self._watched(model, observe)

    def _after(self, model, args, output):
        def observe(site, torch):
            if site.torch.kind == "ImageClassification" and isinstance(output, torch.Tensor) and output.ndim == 2 \
                    and output.shape[1] > 1:
                probabilities = torch.softmax(output.detach().float(), dim=1).cpu().numpy()
                with self.recorder.lock:
                    site.predictions.add(probabilities)

        self._watched(model, observe)


def _exporting(torch) -> bool:
    try:
        return bool(torch.jit.is_tracing() or torch.onnx.is_in_onnx_export())
    except Exception:
        return False


def _images(x, torch) -> tuple[np.ndarray, bool, int] | None:
    """(a sample of the images as (images, height, width, channels) float32, whether the call passed one
    unbatched CHW image, how many images the call passed)."""
    if isinstance(x, (list, tuple)) and x and all(isinstance(t, torch.Tensor) and t.ndim == 3 for t in x):
        tensors = [t.detach()[None] for t in x[:SAMPLE]]  # detection models take a list of CHW images
        total = len(x)
        x = torch.cat(tensors if len({t.shape for t in tensors}) == 1 else tensors[:1])
    else:
        total = None
    if not isinstance(x, torch.Tensor) or x.ndim not in (3, 4) or not (x.is_floating_point() or x.dtype == torch.uint8):
        return None
    single = x.ndim == 3
    sample = (x[None] if single else x[:SAMPLE]).detach()
    return sample.float().cpu().numpy().transpose(0, 2, 3, 1), single, total or (1 if single else int(x.shape[0]))


def _torchvision_weights(builder, signature, args, kwargs) -> TorchModel | None:
    """The weights a builder call loads, as the static analysis reads them."""
    tv = torch_knowledge.torchvision()
    weights = kwargs.get("weights")
    if weights is None and args and signature is not None:
        try:
            weights = signature.bind_partial(*args).arguments.get("weights")
        except TypeError:
            weights = None
    found = None
    if weights is None and kwargs.get("pretrained") and builder.legacy:
        enum, _, member = builder.legacy.rpartition(".")
        found = tv.weights(enum, member)
    elif isinstance(weights, str):
        enum, _, member = weights.rpartition(".")
        found = tv.weights(enum or builder.weights, member)
    elif weights is not None and hasattr(weights, "name"):
        found = tv.weights(type(weights).__name__, weights.name)
    return TorchModel.of(builder.function, found)


def _timm_weights(model_name: str) -> TorchModel | None:
    found = torch_knowledge.timm().weights(model_name)
    return TorchModel.of(model_name.split(".")[0], found) if found is not None else None


# -- verdicts ---------------------------------------------------------------------------------------
TOLERANCE = 0.15  # of a band's width, as for Keras: resizing overshoots sharp edges


def values(site) -> list[tuple[str, str]]:
    """CNN601 ([0, 1] or 0..255 where normalised values belong), CNN602 (another normalisation), CNN603
    (a normalisation of 0..255 values), from the per-channel extremes of what arrived."""
    described, stats = site.torch, site.stats
    if described is None or stats is None or not stats.values.count or stats.values.channels != 3:
        return []
    low, high = stats.values.low, stats.values.high
    if not np.isfinite([low, high]).all() or float(high.max() - low.min()) < 1e-6:
        return []
    means = ", ".join(f"{m:.3g}" for m in stats.values.mean)
    measured = f"min {low.min():.3g}, max {high.max():.3g}, channel means {means} over {stats.measured} images"
    band = described.band
    if band is None:  # a detection model: [0, 1] images
        if high.max() > 2 and low.min() >= -TOLERANCE:
            return [("CNN603", f"{described.expects}, but received 0..255 values: {measured}; scale them to [0, 1]")]
        return []
    lo, hi = band
    slack = TOLERANCE * (hi - lo)
    if (low >= lo - slack).all() and (high <= hi + slack).all() and lo.min() > -0.5:
        return []  # the model wants values that are all near [0, 1]: nothing tells them apart
    fits = (low >= lo - slack).all() and (high <= hi + slack).all()
    if low.min() >= -0.05 and high.max() <= 1 + TOLERANCE and lo.min() < -0.5:
        return [("CNN601", f"{described.expects}, but received values in [0, 1] (no Normalize): {measured}; "
                           f"use {described.hint}")]
    if high.max() > 255 * (1 + TOLERANCE) and (high.max() - low.min()) > 300:  # beyond any 0..255 pixel
        return [("CNN603", f"{described.expects}, but received values normalised from 0..255 instead of [0, 1] "
                           f"(up to {high.max():.3g}): {measured}; scale to [0, 1] before Normalize")]
    if low.min() >= -0.05 and high.max() > 2:
        return [("CNN601", f"{described.expects}, but received raw 0..255 values: {measured}; use {described.hint}")]
    if fits:
        return []
    if low.min() >= -1 - TOLERANCE and high.max() <= 1 + TOLERANCE and low.min() < -0.5:
        return [("CNN602", f"{described.expects}, but received values in [-1, 1] (mean = std = 0.5): {measured}; "
                           f"use {described.hint}")]
    if high.max() <= 3.5 and low.min() >= -3.5:
        return [("CNN602", f"{described.expects}, but received values normalised otherwise: {measured}; "
                           f"use {described.hint}")]
    return []


def mode(site) -> list[tuple[str, str]]:
    if site.torch is None or not site.train_mode_inference:
        return []
    return [("CNN604", f"{site.train_mode_inference} of {site.calls} calls ran {site.torch.name} in training mode "
                       f"with gradients off (inference, tracing or export): BatchNorm used the batch's statistics "
                       f"and Dropout was active; call model.eval() first")]


def shape(site) -> list[tuple[str, str]]:
    described = site.torch
    if described is None:
        return []
    out = []
    if site.ranks.get(3):
        out.append(("CNN203", f"{site.ranks[3]} of {site.calls} calls passed a single image (channels, height, width) "
                              f"where {described.name} takes a batch; add the batch axis with x.unsqueeze(0)"))
    channels = sorted({s[-1] for s in site.shapes if len(s) == 3})
    if any(c != 3 for c in channels):
        out.append(("CNN204", f"{described.name} takes 3 (RGB) channels, but received images with "
                              f"{' and '.join(map(str, channels))} channels"))
    if described.fixed and described.crop:
        wrong = sorted({s[:2] for s in site.shapes if len(s) == 3 and s[:2] != described.crop})
        if wrong:
            shown = ", ".join(f"{h}x{w}" for h, w in wrong[:5])
            out.append(("CNN202", f"{described.name} takes only {described.crop[0]}x{described.crop[1]} input, but "
                                  f"received {shown}"))
    return out
