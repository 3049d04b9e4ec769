"""What torchvision and timm pre-trained weights expect, read from torchvision.toml and timm.toml.

The files are generated from the libraries (``generate_torch.py``) and loaded the first time the
analysis meets a name under ``torchvision``, ``timm`` or ``torch.hub``: linting code without PyTorch
never reads them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from . import read


@dataclass(frozen=True)
class Weights:
    """One set of pre-trained weights and what its preprocessing does."""

    name: str  # "ResNet50_Weights.IMAGENET1K_V2", "resnet50.a1_in1k"
    kind: str  # the preset: ImageClassification, ObjectDetection, SemanticSegmentation, ...
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    crop: tuple[int, int] | None  # (height, width) the model was trained and evaluated at
    resize: int | None  # the shorter side before the crop
    interpolation: str | None
    min_size: tuple[int, int] | None
    fixed: bool  # the architecture takes only the crop size
    hint: str  # how to get the right transform: "ResNet50_Weights.IMAGENET1K_V2.transforms()"


@dataclass(frozen=True)
class Builder:
    """A torchvision model builder (``torchvision.models.resnet50``)."""

    name: str  # registered name, as get_model() takes it
    function: str
    module: str  # under torchvision.models: "resnet", "quantization.resnet", "detection.faster_rcnn"
    weights: str  # its weights enum
    legacy: str | None  # "ResNet50_Weights.IMAGENET1K_V1": what pretrained=True means
    fixed: bool
    children: tuple[str, ...] | None = None  # a classification architecture's top-level modules
    mode_children: tuple[str, ...] = ()  # those with BatchNorm, Dropout or stochastic depth


class TorchVision:
    def __init__(self, data: dict):
        self.presets = data["presets"]
        self.enums = data["weights"]
        self.builders: dict[str, Builder] = {}
        self.paths: dict[str, Builder] = {}  # "models.resnet50", "models.resnet.resnet50", ...
        for name, b in data["builders"].items():
            children = b.get("children")
            builder = Builder(name, b["function"], b["module"], b["weights"], b.get("legacy"),
                              b.get("fixed_size", False), tuple(children) if children is not None else None,
                              tuple(b.get("mode_children", ())))
            self.builders[name] = builder
            package = b["module"].rpartition(".")[0]
            for where in (b["module"], package):  # each package re-exports its modules' builders
                self.paths["models." + (f"{where}." if where else "") + b["function"]] = builder

    def builder(self, qualname: str) -> Builder | None:
        """The builder a canonical name calls: ``torchvision.models.resnet50``, ``...resnet.resnet50``."""
        return self.paths.get(qualname.removeprefix("torchvision."))

    def member(self, enum: str, member: str) -> str | None:
        """The member ``enum.member`` names (DEFAULT resolved), or None when there is none."""
        table = self.enums.get(enum)
        if table is None:
            return None
        if member == "DEFAULT":
            member = table["default"]
        return member if member in table and member != "default" else None

    def weights(self, enum: str, member: str, fixed: bool = False) -> Weights | None:
        member = self.member(enum, member)
        if member is None:
            return None
        entry = self.enums[enum][member]
        p = self.presets[entry["preset"]]
        crop = p.get("crop")
        crop = (crop[0], crop[-1]) if crop else None
        resize = p.get("resize")
        min_size = entry.get("min_size")
        return Weights(f"{enum}.{member}", p["kind"], tuple(p["mean"]) if "mean" in p else None,
                       tuple(p["std"]) if "std" in p else None, crop, resize[0] if resize and len(resize) == 1
                       else None, p.get("interpolation"), tuple(min_size) if min_size else None, fixed,
                       f"{enum}.{member}.transforms()")

    def enum_of(self, qualname: str) -> str | None:
        """``ResNet50_Weights`` from ``torchvision.models.resnet.ResNet50_Weights``."""
        last = qualname.rsplit(".", 1)[-1]
        return last if last in self.enums else None


class Timm:
    def __init__(self, data: dict):
        self.cfgs = data["cfgs"]
        self.archs: dict[str, str] = data["archs"]
        self.aliases: dict[str, str] = data["aliases"]
        self.hub: dict[str, str] = data["hub"]

    def weights(self, model_name: str) -> Weights | None:
        """The weights ``create_model(model_name, pretrained=True)`` loads: ``arch.tag``, or the
        architecture's default tag; ``hf-hub:timm/...`` and deprecated names too."""
        name = model_name.removeprefix("hf-hub:").removeprefix("hf_hub:").removeprefix("timm/")
        name = self.aliases.get(name, name)
        arch, _, tag = name.partition(".")
        tags = self.archs.get(arch)
        if tags is None:
            return None
        pairs = [t.split("=") for t in tags.split()]
        chosen = next((p for p in pairs if p[0] == tag), None) if tag else pairs[0]
        if chosen is None:
            return None
        c = self.cfgs[chosen[1]]
        size = c["input_size"][1], c["input_size"][2]
        return Weights(f"{arch}.{chosen[0]}", "ImageClassification", tuple(c["mean"]), tuple(c["std"]), size,
                       int(size[0] / c["crop_pct"]), c["interpolation"], None, c.get("fixed", False),
                       "timm.data.create_transform(**timm.data.resolve_data_config({}, model=model))")


@cache
def torchvision() -> TorchVision:
    return TorchVision(read("torchvision.toml"))


@cache
def timm() -> Timm:
    return Timm(read("timm.toml"))
