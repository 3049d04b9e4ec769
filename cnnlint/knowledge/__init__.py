"""The facts cnnlint knows about pre-trained models, loaded once from TOML data."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


# The input sizes TF Hub image models are published for; other numbers in a handle are depths
# (resnet_v2_152) or widths.
HUB_SIZES = {96, 128, 160, 192, 224, 240, 256, 260, 299, 300, 320, 331, 380, 384, 448, 456, 480, 512, 528, 600}


@dataclass(frozen=True)
class Mode:
    """A preprocess_input mode: what it does to 0..255 RGB pixels."""

    name: str
    describe: str  # what a model of this mode expects, for messages
    did: str  # what preprocess_input of this mode did, for messages
    range: tuple[float, float] | None  # the output interval, when it is a plain interval
    band: tuple[float, float]  # the values real pixels take after it (runtime checks)
    mean: tuple[float, ...] | None = None  # per-channel constants subtracted by hand for this mode
    std: tuple[float, ...] | None = None


@dataclass(frozen=True)
class ModelInfo:
    name: str
    family: str
    mode: str
    size: int
    min_size: int
    without_preprocessing: str | None  # mode expected with include_preprocessing=False
    sizes: tuple[int, ...]  # the sizes with ImageNet weights (input_shape chooses among them)


@dataclass(frozen=True)
class Knowledge:
    modes: dict[str, Mode]
    families: dict[str, str]  # module name -> mode name
    legacy: frozenset[str]  # module names older keras had, absent from the current one
    without_batchnorm: frozenset[str]  # families with no BatchNormalization layers
    models: dict[str, ModelInfo]
    hub_describe: str
    hub_range: tuple[float, float]
    hub_words: tuple[str, ...]
    hub_other_words: tuple[str, ...]

    def is_hub_image_handle(self, handle: str) -> bool:
        """An image classifier or feature vector, known to take [0, 1] floats."""
        low = handle.lower()
        return any(w in low for w in self.hub_words) and not any(w in low for w in self.hub_other_words)

    @staticmethod
    def is_imagenet_weights_file(model: str, path: str) -> bool:
        """Whether a file is keras's own ImageNet weights for ``model``, by the names keras gives them:
        ``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5``, ``mobilenet_1_0_224_tf.h5``,
        ``efficientnetb0_notop.h5``, ``nasnet_mobile.h5``, ``convnext_tiny.h5``."""
        stem = re.split(r"[\\/]", path)[-1].lower()
        for ending in (".weights.h5", ".h5", ".hdf5", ".keras"):
            stem = stem.removesuffix(ending)
        key = re.sub(r"[^a-z0-9]", "", stem).removesuffix("notop")
        name = re.sub(r"[^a-z0-9]", "", model.lower())
        if not key.startswith(name):
            return False
        rest = key[len(name):]
        if re.match(r"v\d", rest):  # resnet50v2_... is not ResNet50's
            return False
        return rest in ("", "tf") or "tfdimordering" in rest or "imagenet" in rest or (
            re.fullmatch(r"\d+tf", rest) is not None)

    @staticmethod
    def hub_size(handle: str) -> int | None:
        """The input size a TF Hub handle names, e.g. ``mobilenet_v2_100_224``. A handle without one
        (``imagenet/inception_v3/classification``) takes other sizes than its architecture's 299."""
        sizes = [int(n) for n in re.findall(r"_(\d{3})(?=/|_|$)", handle) if int(n) in HUB_SIZES]
        return sizes[-1] if sizes else None  # mobilenet_v2_100_224: the width multiplier comes first


def read(name: str) -> dict:
    """A knowledge file of this package, parsed."""
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@cache
def knowledge() -> Knowledge:
    data = read("keras.toml")
    modes = {
        name: Mode(name, m["describe"], m["did"], tuple(m["range"]) if "range" in m else None, tuple(m["band"]),
                   tuple(m["mean"]) if "mean" in m else None, tuple(m["std"]) if "std" in m else None)
        for name, m in data["modes"].items()
    }
    families = {name: f["mode"] for name, f in data["families"].items()}
    legacy = frozenset(name for name, f in data["families"].items() if f.get("legacy"))
    without_batchnorm = frozenset(name for name, f in data["families"].items() if f.get("batchnorm") is False)
    models = {
        name: ModelInfo(
            name=name,
            family=m["family"],
            mode=families[m["family"]],
            size=m["size"],
            min_size=m["min_size"],
            without_preprocessing=m.get("without_preprocessing"),
            sizes=tuple(m.get("sizes", [m["size"]])),
        )
        for name, m in data["models"].items()
    }
    hub = data["hub"]
    return Knowledge(modes, families, legacy, without_batchnorm, models, hub["describe"], tuple(hub["range"]), tuple(hub["image_words"]),
                     tuple(hub["other_words"]))


@dataclass(frozen=True)
class DatasetInfo:
    """Images of a data set that ships with a library, as loaded: uint8 0..255."""

    size: tuple[int, int] | str | None  # (height, width), "native" (sizes vary), None (unknown)
    channels: int | None


@cache
def datasets() -> dict[str, dict[str, DatasetInfo]]:
    """``{"keras": {"cifar10": ...}, "tfds": {...}}`` from datasets.toml."""
    data = read("datasets.toml")
    return {source: {name: DatasetInfo(tuple(d["size"]) if isinstance(d.get("size"), list) else d.get("size"),
                                       d.get("channels"))
                     for name, d in table.items()}
            for source, table in data.items()}


@dataclass(frozen=True)
class Signature:
    """How an application shows inside a saved model: its name as a nested model, and layer names."""

    model: str  # "MobileNetV2"
    name: str  # keras's name for it, without an alpha/size suffix: "mobilenetv2", "vgg16"
    present: frozenset[str]
    absent: frozenset[str]


@cache
def signatures() -> dict[str, Signature]:
    data = read("saved.toml")
    return {model: Signature(model, base_name(s["name"]), frozenset(s["present"]), frozenset(s["absent"]))
            for model, s in data.items()}


def base_name(name: str) -> str:
    """``mobilenetv2_1.00_224`` -> ``mobilenetv2``: the name keras gives an application, whatever its
    width and size; lower case (``MobileNetV3Small``)."""
    return re.sub(r"_\d+\.\d+_\d+$", "", name).lower()


def identify(nested_names: set[str], layer_names: set[str]) -> str | None:
    """The application a saved model holds: a nested model named like one, or exactly one whose layer
    signature is all there; None when none or several fit."""
    by_name = {s.name: s.model for s in signatures().values()}
    found = {by_name[base_name(n)] for n in nested_names if base_name(n) in by_name}
    if len(found) == 1:
        return found.pop()
    fitting = [s.model for s in signatures().values() if s.present <= layer_names and not s.absent & layer_names]
    return fitting[0] if len(fitting) == 1 else None


@dataclass(frozen=True)
class ZooModel:
    """A pre-trained model of another zoo: a keras application, or its own mode and size."""

    name: str
    application: str | None
    mode: str | None
    size: int | None


@cache
def zoos() -> dict[str, dict[str, ZooModel]]:
    """``{"classification_models": {...}, "efficientnet": {...}, "weight_files": {...}}``."""
    data = read("zoos.toml")
    out: dict = {}
    for zoo, table in data.items():
        out[zoo] = {name: ZooModel(m.get("model", name), m.get("application"), m.get("mode"), m.get("size"))
                    for name, m in table.items()}
    return out
