"""The certain PyTorch fixes: CNN603 adds scale=True to a ToDtype, CNN604 inserts model.eval() before the
no_grad block, CNN203 adds unsqueeze(0); each applied with the real command line, then linted clean."""
from __future__ import annotations

import textwrap

from conftest import cnnlint

TODTYPE = """\
import torch
from torchvision import models
from torchvision.io import read_image
from torchvision.transforms import v2

model = models.efficientnet_b0(weights="IMAGENET1K_V1").eval()
preprocess = v2.Compose([
    v2.Resize(256),
    v2.CenterCrop(224),
    v2.ToDtype(torch.float32),  # the values stay 0..255
    v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])
with torch.no_grad():
    print(model(preprocess(read_image("bird.jpg"))[None]).argmax(1))
"""

EVAL = """\
import torch
from PIL import Image
from torchvision import models

weights = models.ResNet18_Weights.DEFAULT
model = models.resnet18(weights=weights)
batch = weights.transforms()(Image.open("dog.jpg").convert("RGB")).unsqueeze(0)

with torch.no_grad():  # inference
    print(model(batch).argmax(1))
"""

UNSQUEEZE = """\
import torch
from PIL import Image
from torchvision import models

weights = models.ResNet18_Weights.DEFAULT
model = models.resnet18(weights=weights).eval()
with torch.no_grad():
    print(model(weights.transforms()(Image.open("dog.jpg").convert("RGB"))).argmax(1))
"""


def fixed(tmp_path, code: str) -> str:
    path = tmp_path / "app.py"
    path.write_text(code)
    result = cnnlint("--fix", "--no-cache", str(path))
    assert "Traceback" not in result.stderr
    return path.read_text()


def test_603_fix_adds_scale_true(tmp_path):
    after = fixed(tmp_path, TODTYPE)
    assert "v2.ToDtype(torch.float32, scale=True),  # the values stay 0..255" in after
    assert after.replace("torch.float32, scale=True", "torch.float32") == TODTYPE
    assert cnnlint("--no-cache", str(tmp_path / "app.py")).returncode == 0


def test_604_fix_inserts_eval_before_the_no_grad_block(tmp_path):
    after = fixed(tmp_path, EVAL)
    assert after == EVAL.replace("\nwith torch.no_grad():", "\nmodel.eval()\nwith torch.no_grad():")
    assert cnnlint("--no-cache", str(tmp_path / "app.py")).returncode == 0


def test_604_fix_not_offered_for_a_model_trained_in_the_project(tmp_path):
    code = textwrap.dedent("""\
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader
        from torchvision import datasets, models, transforms
        prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                                   transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
        model = models.resnet18(weights="DEFAULT")
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for epoch in range(3):
            for x, y in DataLoader(datasets.ImageFolder("train", prep), batch_size=8):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
            with torch.no_grad():
                for x, y in DataLoader(datasets.ImageFolder("val", prep), batch_size=8):
                    print(model(x).argmax(1))
        """)
    assert fixed(tmp_path, code) == code  # eval() there would leave the next epoch's training in eval mode
    result = cnnlint("--no-cache", str(tmp_path / "app.py"))
    assert "CNN604" in result.stdout


def test_203_fix_adds_unsqueeze(tmp_path):
    after = fixed(tmp_path, UNSQUEEZE)
    assert "model(weights.transforms()(Image.open(\"dog.jpg\").convert(\"RGB\")).unsqueeze(0))" in after
    assert cnnlint("--no-cache", str(tmp_path / "app.py")).returncode == 0
