"""The runtime verdicts on inputs made by the real preprocess_input of every family.

No model is run here: a call site is fed the arrays that each kind of preprocessing really
produces from the same photo-like pixels, and must be judged against the family it reaches.
"""
from __future__ import annotations

import numpy as np
import pytest

from cnnlint.runtime.models import Application
from cnnlint.runtime.record import Site
from cnnlint.runtime.stats import MAX_HASHES, PER_BATCH, ChannelStats, ImageStats, Reservoir
from cnnlint.runtime.verdicts import findings, recognise

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.tensorflow

PIXELS = np.random.default_rng(7).integers(0, 256, size=(6, 32, 32, 3)).astype("float32")
PIXELS[0, 0, 0] = (0, 0, 0)
PIXELS[0, 0, 1] = (255, 255, 255)  # both ends of 0..255 appear, as in any real set of photos

# what reached the model -> a function of 0..255 pixels
INPUTS = {
    "raw": lambda x: x,
    "x/255": lambda x: x / 255.0,
    "caffe": lambda x: keras.applications.resnet50.preprocess_input(x.copy()),
    "tf": lambda x: keras.applications.mobilenet_v2.preprocess_input(x.copy()),
    "torch": lambda x: keras.applications.densenet.preprocess_input(x.copy()),
}
# the family's mode -> what each input gives (None: nothing to report)
EXPECTED = {
    "caffe": {"raw": "CNN101", "x/255": "CNN104", "caffe": None, "tf": "CNN102", "torch": "CNN102"},
    "tf": {"raw": "CNN101", "x/255": "CNN104", "caffe": "CNN102", "tf": None, "torch": "CNN102"},
    "torch": {"raw": "CNN101", "x/255": "CNN104", "caffe": "CNN102", "tf": "CNN102", "torch": None},
    "none": {"raw": None, "x/255": "CNN104", "caffe": "CNN102", "tf": "CNN102", "torch": "CNN102"},
}
MODELS = {"caffe": ("ResNet50", "resnet50"), "tf": ("MobileNetV2", "mobilenet_v2"),
          "torch": ("DenseNet121", "densenet"), "none": ("EfficientNetB0", "efficientnet")}


def site(mode: str, weights: str | None = "imagenet", include_top: bool = True, size: int = 32) -> Site:
    name, family = MODELS[mode]
    app = Application(name, family, mode, weights, include_top, (None, size, size, 3), size)
    return Site("script.py", 3, "predict", name.lower(), app, (), True)


def judged(s: Site, *batches: np.ndarray) -> list[str]:
    for batch in batches:
        s.calls += 1
        s.observe(np.asarray(batch, dtype="float32"), None)
    return [f.code for f in findings([s])]


@pytest.mark.parametrize("mode", EXPECTED)
@pytest.mark.parametrize("given", INPUTS)
def test_each_family_against_each_preprocessing(mode, given):
    want = EXPECTED[mode][given]
    assert judged(site(mode), INPUTS[given](PIXELS)) == ([want] if want else [])


def test_the_message_gives_the_numbers():
    (finding,) = findings([_fed(site("tf"), PIXELS)])
    assert "min 0, max 255" in finding.message and "mobilenet_v2.preprocess_input" in finding.message
    assert finding.numbers["max"] == [255.0, 255.0, 255.0] and finding.numbers["images"] == 6


def test_random_weights_and_unknown_fronts_are_not_judged():
    assert judged(site("tf", weights=None), PIXELS) == []
    unknown = site("tf")
    unknown.front_known = False
    assert judged(unknown, PIXELS) == []


def test_constant_and_out_of_every_band_inputs_are_not_judged():
    assert judged(site("tf"), np.zeros((1, 32, 32, 3))) == []
    assert judged(site("tf"), PIXELS * 256) == []  # 16-bit images: no mode makes them; no guess


def test_resampling_overshoot_is_tolerated():
    overshoot = keras.applications.mobilenet_v2.preprocess_input(PIXELS.copy()) * 1.01
    assert judged(site("tf"), overshoot) == []


@pytest.mark.parametrize("batches, want", [
    ([PIXELS[:2]], []),
    ([PIXELS[:2, :24, :24]], ["CNN202"]),
    ([PIXELS[:1, :24, :24], PIXELS[:1, :28, :20]], ["CNN201"]),
    ([PIXELS[0]], ["CNN203"]),
    ([PIXELS[:2, :, :, :1]], ["CNN204"]),
])
def test_shapes(batches, want):
    s = site("none")
    assert sorted(judged(s, *batches)) == want


def test_sizes_are_free_without_the_top():
    assert judged(site("none", include_top=False), PIXELS[:2, :24, :24]) == []


def test_repeated_images_in_one_batch():
    assert judged(site("none"), np.stack([PIXELS[0]] * 4)) == ["CNN401"]
    assert judged(site("none"), PIXELS[:4]) == []


def test_collapse_needs_enough_distinct_images_and_one_class():
    def fed(images: int, classes: list[int]) -> list[str]:
        s = Site("script.py", 3, "predict", "tiny", None, (), True)
        s.observe(np.random.default_rng(images).random((images, 8, 8, 3)), None)
        s.predictions.add(np.eye(3)[classes])
        return [f.code for f in findings([s])]

    assert fed(8, [2] * 8) == ["CNN900"]
    assert fed(7, [2] * 7) == []  # too few to tell
    assert fed(8, [2] * 7 + [1]) == []


def test_recognised_styles():
    assert recognise(0, 1).name == "unit" and recognise(-1, 1).name == "tf"
    assert recognise(0, 255).name == "raw" and recognise(-123, 150).name == "caffe"
    assert recognise(-2.1, 2.6).name == "torch" and recognise(-500, 500) is None


def test_streaming_statistics_equal_numpy_and_stay_bounded():
    rng = np.random.default_rng(3)
    batches = [rng.normal(50, 20, size=(100, 8, 8, 3)) for _ in range(5)]
    everything = np.concatenate(batches).reshape(-1, 3)
    stats, sample = ChannelStats(3), Reservoir(3, size=1000)
    for batch in batches:
        stats.add(batch)
        sample.add(batch)
    np.testing.assert_allclose(stats.mean, everything.mean(axis=0))
    np.testing.assert_allclose(stats.std, everything.std(axis=0))
    np.testing.assert_allclose(stats.low, everything.min(axis=0))
    assert sample.rows.shape == (1000, 3) and sample.seen == 5 * min(PER_BATCH, 100 * 8 * 8)
    assert abs(sample.rows.mean() - 50) < 3  # a uniform sample of the whole stream


def test_hashes_are_capped():
    images = ImageStats(1)
    many = np.arange(2 * (MAX_HASHES + 10), dtype="float32").reshape(-1, 2, 1, 1)  # not blank: 2 values
    images.count(many, hash_images=True)
    assert images.distinct == MAX_HASHES and images.hashed == MAX_HASHES + 10


def test_bands_are_what_preprocess_input_makes_of_black_and_white():
    from cnnlint.knowledge import knowledge

    extremes = np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype="float32")
    for mode, (_, family) in MODELS.items():
        out = getattr(keras.applications, family).preprocess_input(extremes.copy())
        np.testing.assert_allclose(knowledge().modes[mode].band, (out.min(), out.max()), atol=1e-3)


def _fed(s: Site, batch: np.ndarray) -> Site:
    s.calls += 1
    s.observe(batch, None)
    return s


def test_the_hint_follows_include_preprocessing():
    app = Application("EfficientNetV2B0", "efficientnet_v2", "torch", "imagenet", False, (None, 32, 32, 3), 224, False)
    s = Site("script.py", 3, "predict", "effnet", app, (), True)
    (finding,) = findings([_fed(s, PIXELS)])
    assert finding.code == "CNN101" and "imagenet_utils.preprocess_input(x, mode='torch')" in finding.message
    assert "include_preprocessing=False" in app.describe


# -- regressions from the review of the runtime mode ----------------------------------------

def test_blank_warm_up_images_are_not_repeats():
    assert judged(site("none"), np.zeros((4, 32, 32, 3))) == []


def test_bicubic_overshoot_of_sharp_edges_is_tolerated():
    import tensorflow as tf

    box = np.zeros((1, 40, 40, 3), dtype="float32")
    box[:, 10:30, 10:30] = 255  # a white box on black: the worst case for bicubic ringing
    resized = tf.image.resize(box, (32, 32), method="bicubic").numpy()
    preprocessed = keras.applications.mobilenet_v2.preprocess_input(resized)
    assert preprocessed.min() < -1.05 and preprocessed.max() > 1.05  # it does overshoot
    assert judged(site("tf"), preprocessed) == []


def test_channels_first_arrays_are_not_read_as_32_channels():
    s = site("caffe")
    assert judged(s, np.transpose(INPUTS["caffe"](PIXELS), (0, 3, 1, 2))) == []
    assert s.unobserved == 1


def test_regression_and_feature_outputs_are_not_classes():
    s = Site("script.py", 3, "predict", "regressor", None, (), True)
    s.observe(np.random.default_rng(1).random((12, 8, 8, 3)), None)
    s.predictions.add(np.tile([[30.0, 170.0]], (12, 1)))  # (age, height): column 1 always largest
    assert findings([s]) == []


def test_json_numbers_of_nothing_measured_are_null():
    import json

    from cnnlint.runtime.verdicts import numbers

    s = site("tf")
    s.observe(np.full((2, 32, 32, 3), np.nan, dtype="float32"), None)
    json.dumps(numbers(s), allow_nan=False)
    assert numbers(s)["min"] == [None, None, None]
