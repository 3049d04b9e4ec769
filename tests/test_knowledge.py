"""Check cnnlint's keras.applications table (cnnlint/knowledge/keras.toml) against the real keras.

Nothing here mocks keras's behaviour: every fact is read from the installed keras, by calling
preprocess_input on a probe, by reading the arguments the constructors pass to
``imagenet_utils.obtain_input_shape``, or by building a (small) model with ``weights=None``.
To keep the file fast and offline, the size probes stop each constructor before it makes its
first layer, and any attempt to download weights fails loudly instead of reaching the network.
"""
from __future__ import annotations

import importlib
import inspect
import warnings

import numpy as np
import pytest

from cnnlint.knowledge import knowledge

pytestmark = pytest.mark.tensorflow

try:
    keras = pytest.importorskip("keras")
    applications = pytest.importorskip("keras.applications")
except ImportError as exc:  # installed but broken (e.g. its tensorflow backend fails to load)
    pytest.skip(f"keras is not importable: {exc}", allow_module_level=True)

K = knowledge()
FAMILIES = sorted(f for f in K.families if f not in K.legacy)
MODELS = sorted(K.models)
KERAS_MODELS = sorted(
    name for name in dir(applications) if name[:1].isupper() and callable(getattr(applications, name))
)

# ---------------------------------------------------------------------------------------------
# preprocess_input modes

# 48 distinct values in 0..255, so a channel swap or any per-channel change shows.
PROBE = (np.arange(48, dtype=np.float32) * 5 + 7).reshape(1, 4, 4, 3)
IMAGENET_BGR_MEAN = np.array([103.939, 116.779, 123.68], dtype=np.float32)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

REFERENCE = {
    "caffe": lambda x: x[..., ::-1] - IMAGENET_BGR_MEAN,
    "tf": lambda x: x / 127.5 - 1.0,
    "torch": lambda x: (x / 255.0 - IMAGENET_MEAN) / IMAGENET_STD,
    "none": lambda x: x,
}


def _numpy(x) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def _classify(out, raw=PROBE, atol=1e-4) -> str | None:
    """The mode whose reference computation on ``raw`` gives ``out``, or None."""
    out = _numpy(out)
    hits = [
        mode
        for mode, ref in REFERENCE.items()
        if out.shape == raw.shape and np.allclose(out, ref(raw.astype(np.float64)), rtol=1e-5, atol=atol)
    ]
    assert len(hits) <= 1, f"probe does not separate modes {hits}"
    return hits[0] if hits else None


def _describe(out, raw=PROBE) -> str:
    out = _numpy(out)
    diffs = {m: float(np.max(np.abs(out - ref(raw.astype(np.float64))))) for m, ref in REFERENCE.items()}
    return f"max |output - reference| per mode: {diffs}; output[0,0,0]={out[0, 0, 0].tolist()}"


def test_reference_modes_are_distinct_on_the_probe():
    outs = {m: ref(PROBE.astype(np.float64)) for m, ref in REFERENCE.items()}
    for a in outs:
        assert _classify(outs[a]) == a


def test_knowledge_lists_exactly_the_four_modes():
    assert set(K.modes) == set(REFERENCE)
    assert set(K.families.values()) <= set(K.modes)


@pytest.mark.parametrize("family", FAMILIES)
def test_family_preprocess_input_mode(family):
    module = importlib.import_module(f"keras.applications.{family}")
    raw = PROBE.copy()
    out = module.preprocess_input(raw.copy())  # keras edits float arrays in place
    mode = _classify(out)
    assert mode is not None, f"{family}.preprocess_input matches no known mode: {_describe(out)}"
    assert mode == K.families[family], (
        f"keras.applications.{family}.preprocess_input is {mode!r} mode, the table says {K.families[family]!r}"
    )


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_imagenet_utils_modes_match_the_references(mode):
    from keras.applications import imagenet_utils

    out = imagenet_utils.preprocess_input(PROBE.copy(), mode=mode)
    assert _classify(out) == mode, _describe(out)


@pytest.mark.parametrize("mode", sorted(m for m in K.modes if K.modes[m].range is not None))
def test_mode_range_is_what_keras_produces_from_0_to_255(mode):
    """A mode's ``range`` is the image of [0, 255] under that mode."""
    from keras.applications import imagenet_utils

    ends = np.array([0.0, 255.0], dtype=np.float32).reshape(1, 1, 2, 1).repeat(3, axis=-1)
    out = ends.copy() if mode == "none" else _numpy(imagenet_utils.preprocess_input(ends.copy(), mode=mode))
    assert (float(out.min()), float(out.max())) == pytest.approx(K.modes[mode].range, abs=1e-5)


# ---------------------------------------------------------------------------------------------
# the model list


def test_keras_models_found():
    assert len(KERAS_MODELS) >= 30, KERAS_MODELS


@pytest.mark.parametrize("name", KERAS_MODELS)
def test_every_keras_model_is_known(name):
    assert name in K.models, f"keras.applications.{name} is missing from the table"


@pytest.mark.parametrize("name", MODELS)
def test_known_model_is_in_its_keras_family(name):
    info = K.models[name]
    assert info.family not in K.legacy
    assert hasattr(applications, name), f"keras.applications has no {name}"
    module = importlib.import_module(f"keras.applications.{info.family}")
    top = getattr(applications, name)
    ctor = getattr(module, name, None)
    if ctor is not None:
        assert ctor is top
    else:
        # keras 3 exports MobileNetV3Small/Large only as keras.applications.<name>, not from
        # keras.applications.mobilenet_v3; then the family must be the module that defines it.
        exported_by = [f for f in FAMILIES if getattr(importlib.import_module(f"keras.applications.{f}"), name, None)]
        assert not exported_by, f"{name} is in keras.applications.{exported_by}, not .{info.family}"
        defined_in = top.__module__.rsplit(".", 1)[-1]
        assert defined_in == info.family, (
            f"keras.applications.{info.family} has no {name}, which keras defines in {top.__module__}"
        )


# ---------------------------------------------------------------------------------------------
# sizes


try:
    import keras.src.layers as _src_layers

    _REAL_INPUT = _src_layers.Input
except ImportError:  # pragma: no cover - the tests that need keras.src skip through importorskip
    _src_layers = _REAL_INPUT = None


class _ObtainInputShape(Exception):
    """Raised in place of imagenet_utils.obtain_input_shape, with its arguments."""

    def __init__(self, args: inspect.BoundArguments):
        super().__init__("obtain_input_shape called")
        self.bound = args.arguments


class _ReachedInput(Exception):
    """The constructor got as far as making its Input layer."""


class _Download(Exception):
    """The constructor tried to fetch weights."""


@pytest.fixture
def stop_before_layers(monkeypatch):
    """Make constructors stop at obtain_input_shape (or at their Input layer) and never download."""
    imagenet_utils = pytest.importorskip("keras.src.applications.imagenet_utils")
    src_layers = pytest.importorskip("keras.src.layers")
    file_utils = pytest.importorskip("keras.src.utils.file_utils")
    signature = inspect.signature(imagenet_utils.obtain_input_shape)

    def obtain_input_shape(*args, **kwargs):
        raise _ObtainInputShape(signature.bind(*args, **kwargs))

    def no_input(*args, **kwargs):
        raise _ReachedInput()

    def no_download(*args, **kwargs):
        raise _Download(f"get_file{args}")

    monkeypatch.setattr(imagenet_utils, "obtain_input_shape", obtain_input_shape)
    monkeypatch.setattr(src_layers, "Input", no_input)
    monkeypatch.setattr(file_utils, "get_file", no_download)
    return monkeypatch


def _reaches_input(ctor, **kwargs) -> bool:
    """Whether ``ctor(**kwargs)`` passes its argument checks (stopping at its Input layer)."""
    try:
        ctor(**kwargs)
    except _ReachedInput:
        return True
    except ValueError:
        return False
    raise AssertionError(f"{ctor.__name__}({kwargs}) neither stopped nor raised ValueError")


def _keras_sizes(name, monkeypatch) -> tuple[int, int | None, str, str]:
    """(default size, minimum size or None, how each was found) for keras.applications.<name>."""
    ctor = getattr(applications, name)
    try:
        ctor(weights=None, include_top=True)
    except _ObtainInputShape as called:
        args = called.bound
        assert args["input_shape"] is None
        how = "passed to obtain_input_shape"
        return args["default_size"], args["min_size"], how, how
    except _ReachedInput:
        pass
    else:
        raise AssertionError(f"{name} was built despite the stops")

    # No obtain_input_shape (MobileNetV3): build it for real (weights=None) and read its input shape.
    with monkeypatch.context() as m:
        m.setattr(_src_layers, "Input", _REAL_INPUT)
        model = ctor(weights=None, include_top=True)
    rows, cols = model.input_shape[1:3]
    del model
    keras.backend.clear_session()
    how = "input shape of the built model"
    if rows is not None and cols is not None:
        assert rows == cols, (name, rows, cols)
        size = rows
    else:
        # The model takes any size; the default is the one its ImageNet weights were trained at:
        # the only square size keras loads them for without warning. The constructor stops at its
        # Input layer, so nothing is built and nothing is downloaded.
        how = "input size free; the one size its ImageNet weights load at without warning"
        quiet = []
        for s in range(32, 601):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert _reaches_input(ctor, weights="imagenet", include_top=True, input_shape=(s, s, 3))
            if not any(issubclass(w.category, UserWarning) for w in caught):
                quiet.append(s)
        assert len(quiet) == 1, f"{name}: ImageNet weights load without warning at sizes {quiet}"
        size = quiet[0]

    # Minimum: the smallest square input the constructor's checks accept.
    accepted = [s for s in range(1, 65) if _reaches_input(ctor, weights=None, include_top=False, input_shape=(s, s, 3))]
    min_size = accepted[0] if accepted and accepted[0] > 1 else None
    if min_size is not None:
        assert accepted == list(range(min_size, 65)), f"{name}: accepted sizes are not an interval: {accepted}"
    return size, min_size, how, "smallest square input_shape the constructor accepts"


@pytest.mark.parametrize("name", MODELS)
def test_model_sizes(name, stop_before_layers):
    size, min_size, size_how, min_how = _keras_sizes(name, stop_before_layers)
    info = K.models[name]
    assert info.size == size, f"{name}: keras default size {size} ({size_how}), the table says {info.size}"
    expected_min = 32 if min_size is None else min_size
    assert info.min_size == expected_min, (
        f"{name}: keras minimum size {min_size} ({min_how}), the table says {info.min_size}"
    )


# ---------------------------------------------------------------------------------------------
# include_preprocessing


def _has_include_preprocessing(name) -> bool:
    return "include_preprocessing" in inspect.signature(getattr(applications, name)).parameters


@pytest.mark.parametrize("name", MODELS)
def test_include_preprocessing_flag(name):
    info = K.models[name]
    if info.without_preprocessing is not None:
        assert info.mode == "none", f"{name} preprocesses inside itself, so its family's mode should be 'none'"
        assert info.without_preprocessing in K.modes
        assert _has_include_preprocessing(name), f"keras {name} has no include_preprocessing argument"
        default = inspect.signature(getattr(applications, name)).parameters["include_preprocessing"].default
        assert default is True
    else:
        assert not _has_include_preprocessing(name), (
            f"keras {name} accepts include_preprocessing, but the table gives no without_preprocessing mode"
        )


class _StemReached(Exception):
    """The constructor is about to make its first convolution: the preprocessing is done."""


def _in_model_preprocessing(name, monkeypatch):
    """The model's own preprocessing as a keras Model from its input to its first convolution."""
    src_layers = pytest.importorskip("keras.src.layers")
    made = {"input": None, "last": None}

    def recording(cls):
        class Recording(cls):
            def __call__(self, *args, **kwargs):
                out = super().__call__(*args, **kwargs)
                made["last"] = out
                return out

        Recording.__name__ = cls.__name__
        return Recording

    def input_(*args, **kwargs):
        made["input"] = made["last"] = _REAL_INPUT(*args, **kwargs)
        return made["input"]

    def conv(*args, **kwargs):
        raise _StemReached()

    with monkeypatch.context() as m:
        m.setattr(src_layers, "Input", input_)
        m.setattr(src_layers, "Rescaling", recording(src_layers.Rescaling))
        m.setattr(src_layers, "Normalization", recording(src_layers.Normalization))
        m.setattr(src_layers, "Conv2D", conv)
        with pytest.raises(_StemReached):
            getattr(applications, name)(weights=None, include_top=False, input_shape=(None, None, 3))
    assert made["input"] is not None
    return keras.Model(made["input"], made["last"])


@pytest.mark.parametrize("name", [n for n in MODELS if K.models[n].without_preprocessing])
def test_without_preprocessing_mode_is_what_the_model_does_inside(name, monkeypatch):
    """With include_preprocessing=True the model applies (about) its without_preprocessing mode itself.

    Loose tolerance: EfficientNetV2-S/M/L scale with x/128 - 1 where tf mode is x/127.5 - 1.
    """
    pre = _in_model_preprocessing(name, monkeypatch)
    out = _numpy(pre(PROBE.copy()))
    mode = _classify(out, atol=0.02)
    assert mode == K.models[name].without_preprocessing, (
        f"{name} preprocesses inside as {mode!r}, the table says {K.models[name].without_preprocessing!r}: "
        + _describe(out)
    )
