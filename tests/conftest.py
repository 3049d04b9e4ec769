"""Helpers: lint real code strings written to real files, run the real command line."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnlint.lint import lint
from cnnlint.rules import ALL_RULES

# The suite runs TensorFlow and PyTorch in one process. Importing torchvision after TensorFlow
# crashes it (triton, which torch imports on the way, segfaults on top of TensorFlow's libraries);
# the other order works. So torch comes first, for the tests that need it.
try:
    import torchvision  # noqa: F401
except ImportError:
    pass

REPO = Path(__file__).resolve().parents[1]


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), encoding="utf-8")


@pytest.fixture
def lint_code(tmp_path):
    """Lint one module (a string) or a small project ({name: source}); returns the findings."""

    def run(code: str | dict[str, str], rules=ALL_RULES):
        files = code if isinstance(code, dict) else {"main.py": code}
        write_files(tmp_path, files)
        return lint([tmp_path], rules).findings

    return run


@pytest.fixture
def codes(lint_code):
    """The set of codes reported for a module or project."""

    def run(code):
        return {f.code for f in lint_code(code)}

    return run


def cnnlint(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "cnnlint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def cnnlint_bounded(*args: str, cwd: Path, timeout: float = 60, text: bool = True,
                    preexec_fn=None) -> subprocess.CompletedProcess:
    """The real command line; a run that hangs is killed with its worker processes (which would
    keep the pipes open) and fails the test instead of hanging it."""
    process = subprocess.Popen([sys.executable, "-m", "cnnlint", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=text, preexec_fn=preexec_fn, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"cnnlint {' '.join(args)} took more than {timeout} s")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# -- runtime mode (cnnlint run): real Keras models, built once per session -----------------

@pytest.fixture(scope="session")
def weights(tmp_path_factory) -> dict[str, str]:
    """Weight files of small application models, as a user with cached weights would have them.

    ImageNet weights cannot be downloaded here: the models are built with ``weights=None``,
    saved, and the scripts under test load them with ``weights=path``.
    """
    keras = pytest.importorskip("keras")
    folder = tmp_path_factory.mktemp("weights")
    built = {
        "MobileNetV2": dict(alpha=0.35, input_shape=(96, 96, 3)),  # tf mode, with its top
        "EfficientNetB0": dict(include_top=False, input_shape=(32, 32, 3)),  # pass-through 0..255
        "ResNet50": dict(include_top=False, input_shape=(32, 32, 3)),  # caffe mode
    }
    paths = {}
    for name, arguments in built.items():
        path = folder / f"{name}.weights.h5"
        getattr(keras.applications, name)(weights=None, **arguments).save_weights(path)
        paths[name] = str(path)
    return paths


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory) -> str:
    """A small CNN trained on synthetic images whose class is their brightest channel.

    Trained on ``x / 127.5 - 1``; fed that, it tells the classes apart; fed images scaled
    twice (``x / 255 / 255``), everything it sees is nearly zero and it always answers the same.
    """
    keras = pytest.importorskip("keras")
    import numpy as np

    keras.utils.set_random_seed(0)
    x, y = synthetic_images(300, seed=0)
    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x / 127.5 - 1, y, epochs=15, batch_size=32, verbose=0)
    path = tmp_path_factory.mktemp("tiny") / "tiny.keras"
    model.save(path)
    assert np.isfinite(model.predict(x[:2] / 127.5 - 1, verbose=0)).all()
    return str(path)


def synthetic_images(n: int, seed: int):
    """(images 16x16 RGB 0..255 float32, labels): the label's channel is the bright one."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.integers(0, 120, size=(n, 16, 16, 3)).astype("float32")
    x[np.arange(n), :, :, y] += 135
    return x, y
