"""Check torchvision.toml and timm.toml (cnnlint/knowledge/) against the installed torchvision and timm.

Every fact is read from the libraries: the builders torchvision registers, the weights ``pretrained=True``
stands for, what each weights member's ``transforms()`` does, timm's pretrained cfgs and default tags.
Nothing is downloaded: no weights are loaded, and the fixed-size probe builds small architectures with
``weights=None``. ``python -m cnnlint.knowledge.generate_torch`` rewrites the files for another release.
"""
from __future__ import annotations

import pytest

from cnnlint.knowledge import torch as torch_knowledge
from cnnlint.knowledge.generate_torch import _legacy

torchvision = pytest.importorskip("torchvision")
timm = pytest.importorskip("timm")
torch = pytest.importorskip("torch")
from torchvision import models  # noqa: E402

TV = torch_knowledge.torchvision()
TIMM = torch_knowledge.timm()


def test_the_files_name_the_installed_releases():
    from importlib import resources

    tv_head = resources.files("cnnlint.knowledge").joinpath("torchvision.toml").read_text().splitlines()[0]
    timm_head = resources.files("cnnlint.knowledge").joinpath("timm.toml").read_text().splitlines()[0]
    assert f"torchvision {torchvision.__version__}" in tv_head
    assert f"timm {timm.__version__}" in timm_head


def test_every_torchvision_builder_is_recorded_with_its_weights():
    names = set(models.list_models())
    assert set(TV.builders) == names
    for name in sorted(names):
        builder, recorded = models.get_model_builder(name), TV.builders[name]
        assert recorded.function == builder.__name__
        assert "torchvision.models." + recorded.module == builder.__module__
        assert recorded.weights == models.get_model_weights(name).__name__
        legacy = _legacy(builder)
        assert recorded.legacy == (f"{type(legacy).__name__}.{legacy.name}" if legacy is not None else None), name
        # every import path people use reaches the builder
        assert TV.builder(f"{builder.__module__}.{builder.__name__}") is recorded


def _members():
    for name in sorted(models.list_models()):
        enum = models.get_model_weights(name)
        for member_name, member in enum.__members__.items():
            yield enum, member_name, member


@pytest.mark.parametrize("enum,member_name,member", list(_members()),
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", ""))
def test_every_weights_member_records_what_its_transforms_do(enum, member_name, member):
    recorded = TV.weights(enum.__name__, member_name)
    assert recorded is not None
    assert recorded.name == f"{enum.__name__}.{member.name}"  # DEFAULT is the member it aliases
    preset = member.transforms()
    assert recorded.kind == type(preset).__name__
    for field, attribute in (("mean", "mean"), ("std", "std")):
        value = getattr(preset, attribute, None)
        assert recorded.__getattribute__(field) == (tuple(pytest.approx(v, abs=1e-6) for v in value) if value else None)
    crop = getattr(preset, "crop_size", None)
    assert recorded.crop == ((crop[0], crop[-1]) if crop else None)
    resize = getattr(preset, "resize_size", None)
    assert recorded.resize == (resize[0] if resize and len(resize) == 1 else None)
    interpolation = getattr(preset, "interpolation", None)
    assert recorded.interpolation == (interpolation.value if interpolation is not None else None)
    min_size = member.meta.get("min_size")
    assert recorded.min_size == (tuple(min_size) if min_size else None)


def test_the_fixed_size_facts_hold_for_small_architectures():
    """A ViT takes only its crop size; a CNN with adaptive pooling takes any (probed with no weights)."""
    for name, fixed in (("vit_b_32", True), ("maxvit_t", True), ("squeezenet1_1", False), ("mobilenet_v3_small", False)):
        assert TV.builders[name].fixed is fixed
        model = models.get_model(name, weights=None).eval()
        crop = models.get_model_weights(name).DEFAULT.transforms().crop_size[0]
        with torch.no_grad():
            if fixed:
                with pytest.raises(Exception):
                    model(torch.zeros(1, 3, crop + 32, crop + 32))
            else:
                model(torch.zeros(1, 3, crop + 32, crop + 32))


def test_every_timm_pretrained_tag_records_its_cfg():
    from timm.models import get_pretrained_cfg, list_pretrained

    tags = list_pretrained()
    assert len(tags) > 1000
    for tag in tags:
        cfg = get_pretrained_cfg(tag).to_dict()
        recorded = TIMM.weights(tag)
        assert recorded is not None, tag
        assert recorded.name == tag
        assert recorded.mean == pytest.approx(tuple(cfg["mean"]), abs=1e-6)
        assert recorded.std == pytest.approx(tuple(cfg["std"]), abs=1e-6)
        assert recorded.crop == tuple(cfg["input_size"][1:])
        assert recorded.interpolation == (cfg["interpolation"] or "bilinear")
        assert recorded.fixed is bool(cfg.get("fixed_input_size"))
        assert recorded.resize == int(cfg["input_size"][1] / (cfg["crop_pct"] or 1.0))


def test_an_architecture_name_alone_means_its_default_tag():
    from timm.models import get_pretrained_cfg, list_pretrained

    archs = {tag.split(".")[0] for tag in list_pretrained()}
    for arch in archs:
        assert TIMM.weights(arch).name == f"{arch}.{get_pretrained_cfg(arch).tag}"
    assert TIMM.weights("hf-hub:timm/resnet50.a1_in1k").name == "resnet50.a1_in1k"


def test_deprecated_model_names_resolve_as_timm_resolves_them():
    from timm.models import _registry, list_pretrained

    pretrained = set(list_pretrained())
    checked = 0
    for old, new in _registry._deprecated_models.items():
        if new in pretrained:
            assert TIMM.weights(old).name == new
            checked += 1
    assert checked > 50


def test_the_analysis_reads_the_weights_people_write():
    """Spot checks of facts from the issue: V1 and V2 ResNet50 crop 224 after 256 and 232, ViT SWAG E2E 384."""
    assert TV.weights("ResNet50_Weights", "IMAGENET1K_V1").resize == 256
    assert TV.weights("ResNet50_Weights", "DEFAULT").name == "ResNet50_Weights.IMAGENET1K_V2"
    assert TV.weights("ResNet50_Weights", "IMAGENET1K_V2").resize == 232
    swag = TV.weights("ViT_B_16_Weights", "IMAGENET1K_SWAG_E2E_V1")
    assert swag.crop == (384, 384) and swag.interpolation == "bicubic" and swag.min_size == (384, 384)
    features = TV.weights("VGG16_Weights", "IMAGENET1K_FEATURES")
    assert features.std == pytest.approx((1 / 255, 1 / 255, 1 / 255), abs=1e-6)
    assert TIMM.weights("vit_tiny_patch16_224").mean == (0.5, 0.5, 0.5)
    assert TIMM.weights("inception_v3.tv_in1k").crop == (299, 299)
