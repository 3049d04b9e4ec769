"""Write torchvision.toml and timm.toml from the installed torchvision and timm.

    python -m cnnlint.knowledge.generate_torch            # both files, beside this script
    python -m cnnlint.knowledge.generate_torch --no-probe # keep the fixed_size facts already recorded

Run it again after upgrading torchvision or timm, and commit the two files with the versions
named in their first lines; ``tests/test_knowledge_torch.py`` checks them against the installed
libraries. cnnlint itself never imports torch, torchvision or timm: it reads these files, and only
when the code it lints mentions PyTorch.

What is recorded, read from the libraries themselves:

- torchvision: every model builder (its module path, function name and weights enum), the weights
  ``pretrained=True`` stands for (the legacy default of ``handle_legacy_interface``), and every
  weights enum member with what ``weights.transforms()`` builds: the preset (ImageClassification,
  ObjectDetection, ...), mean, std, resize size, crop size, interpolation, and ``meta["min_size"]``.
  ``fixed_size``: whether the architecture refuses an input size other than its crop size, found by
  running it (randomly initialised, eval mode) on one image 32 pixels larger. ``children``: a
  classification architecture's top-level modules in order, and ``mode_children`` those whose output
  depends on train/eval mode (BatchNorm with running statistics, Dropout, stochastic depth), read
  from the architecture built without weights (AlexNet's and VGG's ``features`` have none).
- timm: every pretrained tag's ``pretrained_cfg`` (mean, std, input size, crop_pct, interpolation,
  fixed_input_size), grouped into distinct cfgs so the file stays small, with each architecture's
  default tag first; and the deprecated model names ``create_model`` still accepts.
"""
from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# torch.hub repositories whose entry points are the models of a library under the same names. Not
# readable from an installed package (each repository's hubconf.py says it): recorded by hand.
HUB_REPOS = {
    "pytorch/vision": "torchvision",
    "huggingface/pytorch-image-models": "timm",
    "rwightman/pytorch-image-models": "timm",
    "facebookresearch/deit": "timm",  # its hubconf builds timm's deit_* models with the same weights
}


def _num(x) -> str:
    return repr(round(float(x), 6))


def _list(values) -> str:
    return "[" + ", ".join(_num(v) if isinstance(v, float) else str(v) for v in values) + "]"


def _strings(values) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _legacy(builder):
    """The weights ``pretrained=True`` means for a builder (None when it has none)."""
    f, found = builder, None
    while f is not None and found is None:
        found = inspect.getclosurevars(f).nonlocals.get("weights")
        f = getattr(f, "__wrapped__", None)
    if not isinstance(found, dict) or "weights" not in found:
        return None
    default = found["weights"][1]
    if callable(default) and not hasattr(default, "name"):
        default = default({"pretrained": True})
    return default


def _fixed_size(builder, crop: int) -> bool:
    """Whether a classification architecture fails on an input 32 pixels larger than its crop size."""
    import torch

    try:
        model = builder(weights=None).eval()
    except Exception:
        return False
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, crop + 32, crop + 32))
    except Exception:
        return True
    return False


def _children(builder) -> tuple[list[str], list[str]] | None:
    """A classification architecture's top-level modules, and those that behave differently in train mode."""
    try:
        model = builder(weights=None)
    except Exception:
        return None
    children = list(model.named_children())
    return [n for n, _ in children], [n for n, child in children if any(map(_mode_dependent, child.modules()))]


def _mode_dependent(module) -> bool:
    from torch import nn
    from torchvision.ops import StochasticDepth

    if isinstance(module, nn.modules.batchnorm._NormBase):
        return module.track_running_stats
    if isinstance(module, (nn.modules.dropout._DropoutNd, StochasticDepth)):
        return module.p > 0
    return False


def torchvision_toml(probe: bool, previous: dict) -> str:
    import torchvision
    from torchvision import models

    presets: dict[tuple, str] = {}
    preset_lines: list[str] = []
    weights_lines: list[str] = []
    builder_lines: list[str] = []
    seen_enums: set[str] = set()

    def preset_id(t) -> str:
        kind = type(t).__name__
        fields = {"kind": f'"{kind}"'}
        for name in ("mean", "std"):
            if getattr(t, name, None) is not None:
                fields[name] = _list(getattr(t, name))
        for name, key in (("resize_size", "resize"), ("crop_size", "crop")):
            value = getattr(t, name, None)
            if value:
                fields[key] = _list(value)
        interpolation = getattr(t, "interpolation", None)
        if interpolation is not None:
            fields["interpolation"] = f'"{interpolation.value}"'
        key = tuple(sorted(fields.items()))
        if key not in presets:
            presets[key] = f"p{len(presets)}"
            body = ", ".join(f"{k} = {v}" for k, v in fields.items())
            preset_lines.append(f"{presets[key]} = {{ {body} }}")
        return presets[key]

    def add_enum(enum) -> None:
        if enum.__name__ in seen_enums:
            return
        seen_enums.add(enum.__name__)
        tags = []
        for name, member in enum.__members__.items():
            if name == "DEFAULT":
                continue
            min_size = member.meta.get("min_size")
            extra = f", min_size = {_list(min_size)}" if min_size else ""
            tags.append(f'{name} = {{ preset = "{preset_id(member.transforms())}"{extra} }}')
        default = enum.__members__["DEFAULT"].name if "DEFAULT" in enum.__members__ else ""
        weights_lines.append(f"[weights.{enum.__name__}]")
        weights_lines.append(f'default = "{default}"')
        weights_lines.extend(tags)
        weights_lines.append("")

    for name in sorted(models.list_models()):
        builder = models.get_model_builder(name)
        enum = models.get_model_weights(name)
        legacy = _legacy(builder)
        add_enum(enum)
        if legacy is not None and type(legacy) is not enum:  # quantized builders: pretrained=True is float weights
            add_enum(type(legacy))
        module = builder.__module__.removeprefix("torchvision.models")
        fields = {"module": f'"{module.lstrip(".")}"', "function": f'"{builder.__name__}"',
                  "weights": f'"{enum.__name__}"'}
        if legacy is not None:
            fields["legacy"] = f'"{type(legacy).__name__}.{legacy.name}"'
        default_preset = enum.DEFAULT.transforms()
        if type(default_preset).__name__ == "ImageClassification":
            crop = default_preset.crop_size[0]
            fixed = _fixed_size(builder, crop) if probe else previous.get(name, False)
            if fixed:
                fields["fixed_size"] = "true"
            found = _children(builder)
            if found is not None:
                fields["children"] = _strings(found[0])
                fields["mode_children"] = _strings(found[1])
        body = ", ".join(f"{k} = {v}" for k, v in fields.items())
        builder_lines.append(f"{name} = {{ {body} }}")
    header = [
        f"# Generated by cnnlint/knowledge/generate_torch.py from torchvision {torchvision.__version__}: do not edit.",
        "#",
        "# [presets]   distinct weights.transforms() presets: kind (ImageClassification, ObjectDetection,",
        "#             SemanticSegmentation, VideoClassification, OpticalFlow), mean, std, resize and crop",
        "#             sizes, interpolation",
        "# [builders]  every registered model builder by its registered name: module (under torchvision.models),",
        "#             function, weights enum, the weights pretrained=True stands for, and fixed_size when the",
        "#             architecture takes only its crop size; for classification architectures, children (the",
        "#             top-level modules) and mode_children (those with BatchNorm, Dropout or stochastic depth)",
        "# [weights.*] every weights enum: DEFAULT's member, and each member's preset and meta['min_size']",
        "",
        "[presets]",
    ]
    return "\n".join(header + preset_lines + ["", "[builders]"] + builder_lines + [""] + weights_lines).rstrip() + "\n"


def timm_toml() -> str:
    import timm
    from timm.models import _registry, list_pretrained

    pretrained = set(list_pretrained())
    cfg_ids: dict[tuple, str] = {}
    cfg_lines: list[str] = []
    arch_lines: list[str] = []
    for arch, default_cfg in sorted(_registry._model_default_cfgs.items()):
        parts = []
        for tag in default_cfg.tags:
            if f"{arch}.{tag}" not in pretrained:
                continue
            d = default_cfg.cfgs[tag].to_dict()
            fields = {
                "mean": _list(d["mean"]),
                "std": _list(d["std"]),
                "input_size": _list(d["input_size"]),
                "crop_pct": _num(d.get("crop_pct") or 1.0),
                "interpolation": f'"{d.get("interpolation") or "bilinear"}"',
            }
            if d.get("fixed_input_size"):
                fields["fixed"] = "true"
            key = tuple(sorted(fields.items()))
            if key not in cfg_ids:
                cfg_ids[key] = f"c{len(cfg_ids)}"
                cfg_lines.append(f"{cfg_ids[key]} = {{ {', '.join(f'{k} = {v}' for k, v in fields.items())} }}")
            parts.append(f"{tag}={cfg_ids[key]}")
        if parts:
            arch_lines.append(f'{arch} = "{" ".join(parts)}"')
    aliases = []
    for old, new in sorted(_registry._deprecated_models.items()):
        if new:
            aliases.append(f'{old} = "{new}"')
    hub = [f'"{repo}" = "{library}"' for repo, library in HUB_REPOS.items()]
    header = [
        f"# Generated by cnnlint/knowledge/generate_torch.py from timm {timm.__version__}: do not edit.",
        "#",
        "# [cfgs]     distinct pretrained cfgs: mean, std, input_size (C, H, W), crop_pct, interpolation,",
        "#            fixed = true when the model takes only input_size",
        "# [archs]    each architecture's pretrained tags as 'tag=cfg', its default tag first",
        "# [aliases]  deprecated model names create_model still accepts",
        "# [hub]      torch.hub repositories whose entry points are a library's models (recorded by hand in the",
        "#            generator: a repository's hubconf.py is not part of an installed package)",
        "",
        "[cfgs]",
    ]
    return "\n".join(header + cfg_lines + ["", "[archs]"] + arch_lines + ["", "[aliases]"] + aliases
                     + ["", "[hub]"] + hub) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-probe", action="store_true", help="keep the recorded fixed_size facts (no model is run)")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    previous: dict[str, bool] = {}
    old = args.out / "torchvision.toml"
    if args.no_probe and old.exists():
        previous = {m.group(1): True for m in re.finditer(r"^(\w+) = \{.*fixed_size = true", old.read_text(), re.M)}
    (args.out / "torchvision.toml").write_text(torchvision_toml(not args.no_probe, previous), encoding="utf-8")
    (args.out / "timm.toml").write_text(timm_toml(), encoding="utf-8")


if __name__ == "__main__":
    main()
