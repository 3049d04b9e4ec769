"""What cnnlint says a library function does to image values is what the installed library does.

Each case is a line of code on a probe image of 0..255 pixels (``probe``); cnnlint's abstract value
of ``out`` (its value range, or its standardisation) is compared with the real output's values.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from cnnlint.analysis.facts import Image, Scale
from cnnlint.analysis.project import Project
from cnnlint.sources import Texts

LOADERS = {  # how the probe is loaded, for cnnlint and for the real run
    "uint8-array": "import numpy as np\nfrom PIL import Image\nprobe = np.asarray(Image.open('probe.png').convert('RGB'))",
    "jpeg-bytes": "import tensorflow as tf\ndata = tf.io.read_file('probe.png')",
}
CASES = {
    "tf.io.decode_image float32 scales to [0, 1]":
        ("jpeg-bytes", "out = tf.io.decode_image(data, channels=3, dtype=tf.float32)"),
    "tf.io.decode_png uint16 keeps 16-bit values":
        ("jpeg-bytes", "out = tf.io.decode_png(data, channels=3, dtype=tf.uint16)"),
    "tf.io.decode_image uint8 is 0..255": ("jpeg-bytes", "out = tf.io.decode_image(data, channels=3)"),
    "tf.image.convert_image_dtype uint8 to float": (
        "jpeg-bytes", "out = tf.image.convert_image_dtype(tf.io.decode_png(data, channels=3), tf.float32)"),
    "tf.image.convert_image_dtype float to uint8": (
        "jpeg-bytes", "out = tf.image.convert_image_dtype(tf.io.decode_image(data, channels=3, dtype=tf.float32), "
                      "tf.uint8)"),
    "tf.image.per_image_standardization": (
        "jpeg-bytes", "out = tf.image.per_image_standardization(tf.io.decode_png(data, channels=3))"),
    "skimage.transform.resize of uint8": (
        "uint8-array", "from skimage import transform\nout = transform.resize(probe, (8, 8))"),
    "skimage.transform.resize preserve_range": (
        "uint8-array", "from skimage import transform\nout = transform.resize(probe, (8, 8), preserve_range=True)"),
    "skimage.transform.rotate of uint8": (
        "uint8-array", "from skimage import transform\nout = transform.rotate(probe, 10)"),
    "skimage.img_as_float": ("uint8-array", "from skimage import img_as_float\nout = img_as_float(probe)"),
    "skimage.img_as_ubyte of img_as_float": (
        "uint8-array", "from skimage import img_as_float, img_as_ubyte\nout = img_as_ubyte(img_as_float(probe))"),
    "skimage.color.rgb2gray": ("uint8-array", "from skimage import color\nout = color.rgb2gray(probe)"),
    "sklearn StandardScaler": (
        "uint8-array", "from sklearn.preprocessing import StandardScaler\n"
                       "out = StandardScaler().fit_transform(probe.reshape(-1, 3).astype('float64'))"),
    "sklearn MinMaxScaler": (
        "uint8-array", "from sklearn.preprocessing import MinMaxScaler\n"
                       "out = MinMaxScaler().fit_transform(probe.reshape(-1, 3).astype('float64'))"),
    "np.divide by 255": ("uint8-array", "out = np.divide(probe, 255)"),
    "standardised by hand": ("uint8-array", "x = probe.astype('float32')\nout = (x - x.mean()) / x.std()"),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from PIL import Image as PILImage

    folder = tmp_path_factory.mktemp("probe")
    pixels = np.zeros((16, 16, 3), dtype=np.uint8)
    pixels[:8] = 255  # half black, half white: both ends of the range
    pixels[8:, :8] = (10, 128, 240)
    PILImage.fromarray(pixels).save(folder / "probe.png")
    return folder


def cnnlint_value(code: str, folder: Path):
    path = folder / "case.py"
    path.write_text(code)
    project = Project({path: path.read_bytes()}, folder, Texts())
    state = project.run(path)
    return state.env.vars.get("out")


def real_value(code: str, folder: Path, monkeypatch) -> np.ndarray:
    monkeypatch.chdir(folder)
    scope: dict = {}
    exec(compile(code, "case.py", "exec"), scope)  # the test's own code, on the test's own probe
    out = scope["out"]
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float64)


@pytest.mark.parametrize("loader, line", CASES.values(), ids=CASES.keys())
def test_modelled_value_range_is_the_real_one(loader, line, folder, monkeypatch):
    pytest.importorskip("tensorflow")
    pytest.importorskip("skimage")
    pytest.importorskip("sklearn")
    code = textwrap.dedent(LOADERS[loader]) + "\n" + line + "\n"
    modelled = cnnlint_value(code, folder)
    real = real_value(code, folder, monkeypatch)
    assert isinstance(modelled, Image) and modelled.scale is not None, modelled
    scale: Scale = modelled.scale
    if scale.mode == "standardised":
        assert abs(real.mean()) < 0.05 and abs(real.std() - 1) < 0.05
    else:
        assert scale.is_interval(), scale
        # the probe has both ends of the range: the real output spans what cnnlint says
        assert real.min() == pytest.approx(scale.lo, abs=0.02 * max(1, scale.hi - scale.lo))
        assert real.max() == pytest.approx(scale.hi, abs=0.02 * max(1, scale.hi - scale.lo))
