"""cnnlint run / watch() on PyTorch: real torchvision and timm models, watched while they run.

No network: the "pre-trained" weights are random state dicts of the same architectures, saved where
torch.hub (TORCH_HOME) and the Hugging Face hub cache (HF_HUB_CACHE, offline) look for them, so
``weights=...`` and ``pretrained=True`` load them as they would the real ones.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
timm = pytest.importorskip("timm")

from torchvision import models  # noqa: E402

from cnnlint.runtime import watch  # noqa: E402

pytestmark = pytest.mark.torch

TIMM_TAG = "vit_tiny_patch16_224.augreg_in21k_ft_in1k"  # mean = std = 0.5


@pytest.fixture(scope="session")
def offline_weights(tmp_path_factory):
    """TORCH_HOME and an offline Hugging Face cache holding random weights for the models below."""
    home = tmp_path_factory.mktemp("torch_home")
    checkpoints = home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    for weights in (models.MobileNet_V3_Small_Weights.IMAGENET1K_V1, models.SqueezeNet1_1_Weights.IMAGENET1K_V1):
        builder = models.get_model_builder(weights.__class__.__name__.removesuffix("_Weights").lower())
        torch.save(builder(weights=None).state_dict(), checkpoints / os.path.basename(weights.url))
    hf = tmp_path_factory.mktemp("hf_cache")
    snapshot = hf / f"models--timm--{TIMM_TAG}" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (hf / f"models--timm--{TIMM_TAG}" / "refs").mkdir()
    (hf / f"models--timm--{TIMM_TAG}" / "refs" / "main").write_text("0" * 40)
    from safetensors.torch import save_file

    save_file(timm.create_model(TIMM_TAG.split(".")[0], pretrained=False).state_dict(), snapshot / "model.safetensors")
    env = {"TORCH_HOME": str(home), "HF_HUB_CACHE": str(hf), "HF_HUB_OFFLINE": "1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # for the scripts run in a child process, and torch.hub here
    from huggingface_hub import constants  # read its environment when imported: set here too

    saved_constants = constants.HF_HUB_CACHE, constants.HF_HUB_OFFLINE
    constants.HF_HUB_CACHE, constants.HF_HUB_OFFLINE = str(hf), True
    yield env
    constants.HF_HUB_CACHE, constants.HF_HUB_OFFLINE = saved_constants
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def images(n: int, size: int = 64):
    from PIL import Image

    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(n)]


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def test_missing_normalize_and_train_mode_observed(offline_weights):
    from torchvision import transforms

    with watch() as report:
        model = models.mobilenet_v3_small(weights="IMAGENET1K_V1")
        prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor()])
        with torch.no_grad():
            for img in images(4):
                model(prep(img).unsqueeze(0))
    assert codes(report) == {"CNN601", "CNN604"}
    (site,) = report.sites
    assert site.calls == 4 and site.train_mode_inference == 4 and site.stats.measured == 4
    assert 0.4 < float(site.stats.values.mean.mean()) < 0.6  # [0, 1] pixels of noise


def test_the_weights_transforms_in_eval_mode_are_fine(offline_weights):
    with watch() as report:
        weights = models.MobileNet_V3_Small_Weights.DEFAULT
        model = models.mobilenet_v3_small(weights=weights).eval()
        with torch.no_grad():
            model(torch.stack([weights.transforms()(img) for img in images(6)]))
    assert codes(report) == set()  # (fewer than 8 images: random weights predicting one class is no collapse yet)
    (site,) = report.sites
    assert site.stats.images == 6 and site.predictions.count == 6


def test_normalize_of_unscaled_values_observed(offline_weights):
    from torchvision.transforms import v2

    with watch() as report:
        model = models.squeezenet1_1(weights=models.SqueezeNet1_1_Weights.DEFAULT).eval()
        prep = v2.Compose([v2.PILToTensor(), v2.Resize((224, 224)), v2.ToDtype(torch.float32),
                           v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
        with torch.no_grad():
            model(torch.stack([prep(img) for img in images(2)]))
    assert codes(report) == {"CNN603"}


def test_timm_model_with_imagenet_statistics_observed(offline_weights):
    from torchvision import transforms

    with watch() as report:
        model = timm.create_model(TIMM_TAG.split(".")[0], pretrained=True).eval()
        prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                                   transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
        with torch.no_grad():
            model(torch.stack([prep(img) for img in images(2)]))
    assert codes(report) == {"CNN602"}
    assert report.sites[0].torch.weights == TIMM_TAG


def test_watching_changes_nothing_the_model_computes(offline_weights):
    weights = models.MobileNet_V3_Small_Weights.DEFAULT
    batch = torch.stack([weights.transforms()(img) for img in images(3)])
    torch.manual_seed(0)
    plain = models.mobilenet_v3_small(weights=weights).eval()
    with torch.no_grad():
        expected = plain(batch)
    with watch() as report:
        torch.manual_seed(0)
        watched = models.mobilenet_v3_small(weights=weights).eval()
        with torch.no_grad():
            got = watched(batch)
    assert torch.equal(expected, got) and report.sites[0].calls == 1
    assert not watched._forward_pre_hooks and not watched._forward_hooks  # removed when the watch ended
    assert models.mobilenet_v3_small.__name__ == "mobilenet_v3_small" and \
        not hasattr(models.mobilenet_v3_small, "__cnnlint_original__")


def test_models_without_known_weights_are_not_judged(offline_weights):
    with watch() as report:
        model = models.mobilenet_v3_small(weights=None)
        with torch.no_grad():
            model(torch.rand(2, 3, 224, 224))
    assert report.sites == [] and report.findings == []


SCRIPT = """
import numpy as np
import torch
from PIL import Image
from torchvision import models, transforms

weights = models.MobileNet_V3_Small_Weights.DEFAULT
model = models.mobilenet_v3_small(weights=weights)
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor()])
rng = np.random.default_rng(0)
photos = [Image.fromarray(rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)) for _ in range(3)]
with torch.no_grad():
    for photo in photos:
        model(prep(photo).unsqueeze(0))
"""


def test_cnnlint_run_links_the_static_findings(offline_weights, tmp_path):
    (tmp_path / "classify.py").write_text(textwrap.dedent(SCRIPT))
    result = subprocess.run([sys.executable, "-m", "cnnlint", "run", "--format", "json", "classify.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ})
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {f["code"] for f in report["findings"]} == {"CNN601", "CNN604"}
    assert {(s["code"], s["status"]) for s in report["static"]} == {("CNN601", "confirmed"), ("CNN604", "confirmed")}
    assert report["sites"][0]["torch"]["weights"] == "MobileNet_V3_Small_Weights.IMAGENET1K_V1"


def test_a_keras_script_does_not_import_torch(tmp_path):
    (tmp_path / "plain.py").write_text("import numpy as np\nprint(np.zeros(2).sum())\n")
    probe = ("import sys, runpy; from cnnlint.runtime import watch\n"
             "with watch():\n    runpy.run_path('plain.py')\n"
             "print(sorted(m for m in ('torch', 'torchvision', 'timm', 'tensorflow') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_cnnlint_run_needs_no_tensorflow_for_a_pytorch_script(offline_weights, tmp_path):
    (tmp_path / "classify.py").write_text(textwrap.dedent(SCRIPT))
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nfor name in ('tensorflow', 'keras', 'tf_keras'):\n    sys.modules[name] = None\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "cnnlint", "run", "classify.py"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "CNN601" in result.stderr and "Traceback" not in result.stderr  # the report goes to stderr
