"""``cnnlint run`` in-process: real scripts, real Keras models on the CPU, what was observed."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from conftest import synthetic_images

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.tensorflow

from cnnlint.runtime.run import run  # noqa: E402
from cnnlint.runtime.watch import watch  # noqa: E402

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.applications import mobilenet_v2, resnet50
rng = np.random.default_rng(1)
pixels = rng.integers(0, 256, size=(10, {size}, {size}, 3)).astype("float32")
"""


@pytest.fixture
def script(tmp_path, monkeypatch, weights):
    """Run a script body (after HEADER) with ``cnnlint run``; returns (status, report)."""
    monkeypatch.chdir(tmp_path)

    def go(*parts: str, size: int = 96, args: tuple[str, ...] = ()):
        body = "".join(textwrap.dedent(part) for part in parts)
        path = tmp_path / "script.py"
        path.write_text(HEADER.format(size=size) + body.format(**weights), encoding="utf-8")
        return run(str(path), list(args))

    return go


def observed(report) -> set[tuple[str, int]]:
    return {(f.code, f.line) for f in report.findings if f.code != "CNN900"}


MOBILENET = 'model = keras.applications.MobileNetV2(weights="{MobileNetV2}", alpha=0.35, input_shape=(96, 96, 3))\n'


def test_raw_pixels_into_a_tf_mode_model(script):
    status, report = script(MOBILENET, "model.predict(pixels, verbose=0)\n")
    assert status == 0 and observed(report) == {("CNN101", 8)}
    (site,) = report.sites
    assert site.app.name == "MobileNetV2" and site.app.weights.endswith("MobileNetV2.weights.h5")
    assert site.calls == 1 and site.stats.images == 10 and site.shapes == {(96, 96, 3): 1}


def test_correct_preprocessing_is_clean(script):
    status, report = script(MOBILENET, "model.predict(mobilenet_v2.preprocess_input(pixels), verbose=0)\n"
                                        "model(mobilenet_v2.preprocess_input(pixels[:2]))\n")
    assert observed(report) == set() and len(report.sites) == 2


def test_pass_through_family_takes_0_255_and_flags_x_over_255(script):
    status, report = script("""\
        base = keras.applications.EfficientNetB0(weights="{EfficientNetB0}", include_top=False, input_shape=(32, 32, 3))
        base.predict(pixels, verbose=0)
        base.predict(pixels / 255.0, verbose=0)
    """, size=32)
    assert observed(report) == {("CNN104", 9)}


def test_caffe_family(script):
    status, report = script("""\
        base = keras.applications.ResNet50(weights="{ResNet50}", include_top=False, input_shape=(32, 32, 3))
        base.predict(resnet50.preprocess_input(pixels.copy()), verbose=0)
        base.predict(mobilenet_v2.preprocess_input(pixels.copy()), verbose=0)
    """, size=32)
    assert observed(report) == {("CNN102", 9)}


def test_layers_in_front_of_the_base_are_applied(script):
    status, report = script(MOBILENET, """\
        inputs = keras.Input((96, 96, 3))
        x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
        wrapped = keras.Model(inputs, keras.layers.Dense(2)(model(x)))
        wrapped.predict(pixels, verbose=0)
        scaled = keras.Sequential([keras.Input((96, 96, 3)), keras.layers.Rescaling(1 / 255.0), model])
        scaled.predict(pixels, verbose=0)
    """)
    assert observed(report) == {("CNN104", 13)}
    assert [s.front for s in report.sites] == [("Rescaling",), ("Rescaling",)]


def test_streams_are_measured_as_consumed(script):
    status, report = script(MOBILENET, """\
        ds = tf.data.Dataset.from_tensor_slices((pixels / 255.0, np.zeros(10))).batch(4)
        model.predict(ds, verbose=0)
        def batches():
            while True:
                yield (pixels[:2],)
        model.predict(batches(), steps=3, verbose=0)
        flow = keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.0).flow(pixels, np.zeros(10), batch_size=5)
        model.predict(flow, verbose=0)
    """)
    assert observed(report) == {("CNN104", 9), ("CNN101", 13), ("CNN104", 15)}
    by_line = {s.line: s for s in report.sites}
    assert by_line[9].stats.images == 10 and sum(by_line[9].shapes.values()) == 3
    assert by_line[15].stats.images == 10


def test_training_is_watched_too(script):
    status, report = script(MOBILENET, """\
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.fit(pixels, np.zeros(10), epochs=1, batch_size=5, verbose=0)
        model.evaluate(tf.data.Dataset.from_tensor_slices((pixels, np.zeros(10))).batch(5), verbose=0)
    """)
    assert observed(report) == {("CNN101", 9), ("CNN101", 10)}
    assert {s.entry for s in report.sites} == {"fit", "evaluate"}


@pytest.mark.parametrize("body, code", [
    ("model.predict(pixels[:, :64, :64], verbose=0)", "CNN202"),
    ("model.predict(pixels[:, :, :, :1], verbose=0)", "CNN204"),
    ("model.predict(mobilenet_v2.preprocess_input(pixels[0]), verbose=0)", "CNN203"),
])
def test_shapes_are_reported_even_when_keras_then_fails(script, body, code):
    status, report = script(MOBILENET, f"try:\n    {body}\nexcept Exception as e:\n    print('keras said', e)\n")
    assert code in {f.code for f in report.findings}


def test_one_image_repeated_in_the_batch(script):
    status, report = script(MOBILENET, "one = mobilenet_v2.preprocess_input(pixels[0])\n"
                                        "model.predict(np.stack([one] * 8), verbose=0)\n")
    assert ("CNN401", 9) in observed(report)


def test_prediction_collapse_of_a_trained_model(tmp_path, monkeypatch, tiny_classifier):
    x, y = synthetic_images(24, seed=5)
    np.save(tmp_path / "x.npy", x)
    path = tmp_path / "classify.py"
    path.write_text(textwrap.dedent(f"""\
        import numpy as np, keras
        model = keras.models.load_model({tiny_classifier!r})
        x = np.load("x.npy")
        right = model.predict(x / 127.5 - 1, verbose=0)
        wrong = model.predict(x / 255 / 255, verbose=0)
    """))
    monkeypatch.chdir(tmp_path)
    status, report = run(str(path), [])
    collapsed = [f for f in report.findings if f.code == "CNN900"]
    assert [f.line for f in collapsed] == [5], report
    assert "for all 24 predictions of 24 distinct images" in collapsed[0].message
    assert status == 0  # the script's own status: it succeeded
    right = {s.line: s for s in report.sites}[4]
    assert len(right.predictions.top1) == 3  # the right input still tells the classes apart


def test_outputs_are_identical_with_and_without_instrumentation(tiny_classifier):
    """The same training and predictions, bit for bit, for arrays, tf.data, generators and PyDataset."""
    import tensorflow as tf

    x, y = synthetic_images(40, seed=9)
    x = x / 127.5 - 1

    def feeds():
        yield "array", (x, y)
        yield "dataset", (tf.data.Dataset.from_tensor_slices((x, y)).batch(8),)
        yield "generator", ((b for b in [(x[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)]),)
        yield "pydataset", (tf.keras.preprocessing.image.ImageDataGenerator().flow(x, y, batch_size=8, shuffle=False),)

    def train_and_predict():
        out = {}
        for name, data in feeds():
            keras.utils.set_random_seed(0)
            model = keras.models.load_model(tiny_classifier)
            model.fit(*data, epochs=1, verbose=0, **({"batch_size": 8} if name == "array" else {}))
            out[name] = (model.get_weights(), model.predict(x, verbose=0), model(x[:4]).numpy())
        return out

    plain = train_and_predict()
    with watch() as report:
        watched = train_and_predict()
    assert len(report.sites) >= 4
    for name in plain:
        for a, b in zip(plain[name][0], watched[name][0]):
            np.testing.assert_array_equal(a, b, err_msg=name)
        np.testing.assert_array_equal(plain[name][1], watched[name][1], err_msg=name)
        np.testing.assert_array_equal(plain[name][2], watched[name][2], err_msg=name)


def test_a_watched_generator_hands_on_every_batch_unchanged_in_order():
    """Measuring a batch must not take it from the model, reorder or alter it.

    How many batches Keras pulls from an endless generator (it peeks at the first, and tf.data
    reads ahead on its own thread) depends on thread timing: CI once saw 5 pulled plainly and 4
    watched. So the stream is finite, exactly the three batches ``steps=3`` asks for, and what is
    compared is what the model computed: a batch kept back for measuring would shift every row.
    """
    taken = []

    def stream():
        for i in range(3):
            taken.append(i)
            yield (np.full((2, 16, 16, 3), i, dtype="float32"),)

    model = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.GlobalAveragePooling2D()])
    plain = model.predict(stream(), steps=3, verbose=0)
    assert taken == [0, 1, 2]
    taken.clear()
    with watch():
        watched = model.predict(stream(), steps=3, verbose=0)
    assert taken == [0, 1, 2]
    np.testing.assert_array_equal(plain, watched)
    np.testing.assert_array_equal(watched[:, 0], [0, 0, 1, 1, 2, 2])


def test_no_model_and_unused_model_give_an_empty_report(script):
    status, report = script("print('no model here')\n")
    assert status == 0 and report.sites == [] and report.findings == []
    status, report = script(MOBILENET, "print('built, never called')\n")
    assert status == 0 and report.sites == [] and "no Keras or PyTorch model was called" in str(report)


def test_static_findings_are_confirmed_contradicted_or_not_reached(script, tmp_path):
    np.save(tmp_path / "ready.npy", np.random.default_rng(0).uniform(-255, 255, (4, 96, 96, 3)).astype("float32"))
    status, report = script(MOBILENET, """\
        from tensorflow.keras.preprocessing import image
        img = image.img_to_array(image.load_img("cat.png", target_size=(96, 96)))
        model.predict(np.expand_dims(img, 0), verbose=0)
        model.predict(np.load("ready.npy") / 255.0, verbose=0)
        if len(pixels) > 99:
            model.predict(pixels / 255.0, verbose=0)
    """)
    statuses = {(linked.finding.code, linked.finding.line): linked.status for linked in report.static}
    assert statuses == {("CNN101", 10): "confirmed", ("CNN104", 11): "contradicted", ("CNN104", 13): "not reached"}


@pytest.fixture(autouse=True)
def _cat_png(tmp_path):
    """An RGB picture file for the scripts that load one."""
    from PIL import Image

    Image.fromarray(np.random.default_rng(2).integers(0, 256, (120, 100, 3), dtype=np.uint8)).save(tmp_path / "cat.png")


def test_threads_and_forked_processes(script):
    status, report = script(MOBILENET, """\
        import multiprocessing, threading
        worker = threading.Thread(target=lambda: model.predict(pixels[:2], verbose=0))
        worker.start(); worker.join()
        child = multiprocessing.get_context("fork").Process(target=lambda: print("child", len(pixels)))
        child.start(); child.join()
        assert child.exitcode == 0
    """)
    assert status == 0 and ("CNN101", 9) in observed(report)


def test_exit_status_of_the_script(script):
    assert script("import sys\nsys.exit(3)\n")[0] == 3
    assert script("raise SystemExit('bye')\n")[0] == 1
    assert script("raise ValueError('boom')\n")[0] == 1
    status, report = script(MOBILENET, "model.predict(pixels, verbose=0)\nraise KeyboardInterrupt\n")
    assert status == 130 and ("CNN101", 8) in observed(report)  # what was gathered before the interrupt


def test_arguments_reach_the_script(script, capsys):
    script("import sys\nprint('argv', sys.argv[1:])\n", args=("--epochs", "3"))
    assert "argv ['--epochs', '3']" in capsys.readouterr().out


def test_ipython_extension_prints_under_the_cell(weights, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("%load_ext cnnlint")
        shell.run_cell("import numpy as np, keras\n"
                       f"m = keras.applications.MobileNetV2(weights={weights['MobileNetV2']!r}, alpha=0.35, input_shape=(96, 96, 3))")
        shell.run_cell("x = np.random.default_rng(0).integers(0, 256, (3, 96, 96, 3)).astype('float32')\n"
                       "p = m.predict(x, verbose=0)")
        first = capsys.readouterr().err
        shell.run_cell("q = m.predict(x, verbose=0)")
        repeated = capsys.readouterr().err
        shell.run_cell("%unload_ext cnnlint")
        shell.run_cell("r = m.predict(x / 255, verbose=0)")
        after = capsys.readouterr().err
    finally:
        shell.run_cell("%unload_ext cnnlint")
        InteractiveShell.clear_instance()
    assert "cnnlint: line 2 `p = m.predict(x, verbose=0)`: CNN101" in first
    assert "`q = m.predict(x, verbose=0)`: CNN101" in repeated and "`p = " not in repeated
    assert "cnnlint" not in after


def test_tf_keras_models_are_watched_too(tmp_path, monkeypatch):
    """Keras 2 (tf_keras) where installed. Not in CI: tf_keras requires the full tensorflow package."""
    tf_keras = pytest.importorskip("tf_keras")
    path = tmp_path / "mobilenet.h5"
    tf_keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3)).save_weights(path)
    script = tmp_path / "legacy.py"
    script.write_text(textwrap.dedent(f"""\
        import numpy as np
        import tf_keras
        model = tf_keras.applications.MobileNetV2(weights={str(path)!r}, alpha=0.35, input_shape=(96, 96, 3))
        pixels = np.random.default_rng(0).integers(0, 256, size=(4, 96, 96, 3)).astype("float32")
        model.predict(pixels, verbose=0)
        model.predict(tf_keras.applications.mobilenet_v2.preprocess_input(pixels), verbose=0)
    """))
    monkeypatch.chdir(tmp_path)
    status, report = run(str(script), [])
    assert observed(report) == {("CNN101", 5)} and len(report.sites) == 2


def test_a_long_stream_is_measured_in_bounded_memory():
    """110,000 images through a generator: every one counted, the sample and the hashes capped."""
    from cnnlint.runtime.stats import MAX_HASHES, RESERVOIR

    def stream():
        rng = np.random.default_rng(0)
        while True:
            yield (rng.random((1000, 4, 4, 3), dtype=np.float32),)

    model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.GlobalAveragePooling2D()])
    with watch() as report:
        model.predict(stream(), steps=110, verbose=0)
    (site,) = report.sites
    # measured as Keras takes the batches from the generator: it reads a few ahead of the model
    assert 110_000 <= site.stats.images <= 120_000 and site.stats.values.count == site.stats.images * 16
    assert len(site.stats.sample.rows) == RESERVOIR and site.stats.distinct == MAX_HASHES


# -- regressions from the review of the runtime mode ----------------------------------------

def test_ops_in_front_of_the_base_in_a_functional_model(script):
    status, report = script(MOBILENET, """\
        inputs = keras.Input((96, 96, 3))
        outputs = keras.layers.Dense(2)(model(mobilenet_v2.preprocess_input(inputs)))
        keras.Model(inputs, outputs).predict(pixels, verbose=0)
        inputs = keras.Input((96, 96, 3))
        keras.Model(inputs, keras.layers.Dense(2)(model(inputs / 127.5 - 1.0))).predict(pixels, verbose=0)
    """)
    assert observed(report) == set() and all(s.front for s in report.sites)


def test_a_subclassed_model_preprocessing_in_call_is_not_judged_from_outside(script):
    status, report = script(MOBILENET, """\
        class Classifier(keras.Model):
            def __init__(self, base):
                super().__init__()
                self.base, self.head = base, keras.layers.Dense(2)
            def call(self, x):
                return self.head(self.base(mobilenet_v2.preprocess_input(x)))
        Classifier(model)(pixels)
    """)
    assert observed(report) == set()
    inner = {s.line: s for s in report.sites}[13]  # self.base(...) inside call(): what the base got
    assert inner.app.name == "MobileNetV2" and inner.stats.values.high.max() <= 1.0


def test_uint8_through_a_lambda_front(script):
    status, report = script(MOBILENET, """\
        front = keras.Sequential([keras.Input((96, 96, 3)), keras.layers.Lambda(mobilenet_v2.preprocess_input), model])
        front.predict(pixels.astype("uint8"), verbose=0)
    """)
    assert observed(report) == set() and report.failures == []
    assert report.sites[0].stats.measured == 8  # the front sample


def test_model_names_are_not_taken_by_cnnlint(script):
    status, report = script(MOBILENET, """\
        def wrapped():
            inputs = keras.Input((96, 96, 3))
            return keras.Model(inputs, model(keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)))
        first = wrapped()
        first.predict(pixels, verbose=0)
        second = wrapped()
        number = lambda m: int(m.name.rsplit("_", 1)[1]) if "_" in m.name else 0
        assert number(second) == number(first) + 1, (first.name, second.name)
    """)
    assert status == 0


def test_plain_iterators_are_left_to_keras(script):
    status, report = script(MOBILENET, """\
        try:
            model.predict(iter([pixels[:2]]), verbose=0)
        except ValueError as e:
            print("keras refused it:", type(e).__name__)
        else:
            raise SystemExit("cnnlint made Keras accept an iterator")
    """)
    assert status == 0


def test_the_script_sees_an_absolute_file_and_can_watch_itself(script, tmp_path):
    status, report = script(MOBILENET, """\
        import os
        from cnnlint.runtime import watch
        assert os.path.isabs(__file__) and __name__ == "__main__"
        os.chdir(os.path.dirname(__file__))
        with watch() as inner:
            model.predict(pixels, verbose=0)
        assert len(inner.sites) == 1
    """)
    assert status == 0 and observed(report) == {("CNN101", 13)}


def test_a_blank_image_cannot_contradict_a_static_finding(script, tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((96, 96, 3), dtype=np.uint8)).save(tmp_path / "black.png")
    status, report = script(MOBILENET, """\
        from tensorflow.keras.preprocessing import image
        img = image.img_to_array(image.load_img("black.png", target_size=(96, 96)))
        model.predict(np.expand_dims(img, 0), verbose=0)
    """)
    assert [(linked.finding.code, linked.status) for linked in report.static] == [
        ("CNN101", "not observable at run time")]


# -- issue 16: one bug, one code on both sides; feature extractors; wording --------------------

def test_a_static_cnn105_is_confirmed_by_the_values_the_run_saw(script):
    status, report = script(MOBILENET, """\
        from tensorflow.keras.preprocessing import image
        img = image.img_to_array(image.load_img("cat.png", target_size=(96, 96)))
        model.predict(np.expand_dims(tf.image.convert_image_dtype(img, tf.float32), 0), verbose=0)
    """)
    (linked,) = report.static
    assert (linked.finding.code, linked.status, linked.observed.code) == ("CNN105", "confirmed", "CNN101")
    assert linked.as_dict()["evidence"] == "observed CNN101 at script.py:10"  # no text-report wording
    assert "-> confirmed: observed CNN101 at script.py:10, see above" in str(report)


def test_feature_extractors_have_no_classes_and_unread_inputs_no_picture(script):
    from cnnlint.runtime.html import page

    status, report = script("""\
        base = keras.applications.ResNet50(weights="{ResNet50}", include_top=False, input_shape=(32, 32, 3),
                                           pooling="avg")
        base.predict(resnet50.preprocess_input(pixels.copy()), verbose=0)
        channels_first = keras.Sequential([keras.Input((3, 8, 8)),
                                           keras.layers.GlobalAveragePooling2D(data_format="channels_first")])
        channels_first.predict(np.zeros((2, 3, 8, 8), "float32"), verbose=0)
    """, size=32)
    features, unread = report.sites
    assert features.predictions.count == 10 and not features.classifier
    assert "top-1" not in str(report) and "top1" not in report.as_dict()["sites"][0]["measured"]
    html = page(report, "script.py")
    assert html.count("data:image/png;base64,") == 1  # the features' values; nothing drawn for the unread input
    assert "No image input was measured here." in html


def test_report_wording(script):
    status, report = script(MOBILENET, """\
        model.predict(pixels[:1], verbose=0)
        try:
            model.predict(mobilenet_v2.preprocess_input(pixels[0]), verbose=0)
        except Exception:
            pass
        model.predict(mobilenet_v2.preprocess_input(pixels[:4].copy()), verbose=0)
    """)
    text = str(report)
    assert "    input: 96x96x3 images, 1 batch; dtype float32\n    1 image, 1 distinct\n" in text
    assert "input: 96x96x3, a single image (no batch axis)" in text
    assert "1 of 1 call passed a single image (height, width, channels)" in text
    assert "expects tf-mode input (scaled to [-1, 1]), but received raw 0..255 pixels" in text  # [-1, 1] once
    assert text.endswith("\n2 problems, seen at 2 of 3 model call sites.")


@pytest.fixture(scope="session")
def loaded_models(tmp_path_factory) -> dict[str, str]:
    """Saved models a serving script loads: one holding a MobileNetV2 (nested), one flat VGG16 head,
    one of its own (no application in it). Built and saved outside any watch."""
    folder = tmp_path_factory.mktemp("loaded")
    base = keras.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35, input_shape=(96, 96, 3))
    nested = keras.Sequential([keras.Input((96, 96, 3)), base, keras.layers.GlobalAveragePooling2D(),
                               keras.layers.Dense(3, activation="softmax")])
    vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(96, 96, 3))
    flat = keras.Model(vgg.input, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(vgg.output)))
    own = keras.Sequential([keras.Input((96, 96, 3)), keras.layers.Conv2D(4, 3), keras.layers.GlobalAveragePooling2D(),
                            keras.layers.Dense(3, activation="softmax")])
    paths = {}
    for name, model in (("nested", nested), ("flat", flat), ("own", own)):
        paths[name] = str(folder / f"{name}.keras")
        model.save(paths[name])
    return paths


@pytest.mark.parametrize("which, prepare, code, base", [
    ("nested", "pixels", "CNN101", "MobileNetV2"),
    ("nested", "mobilenet_v2.preprocess_input(pixels)", None, "MobileNetV2"),
    ("flat", "pixels / 255.0", "CNN104", "VGG16"),
    ("flat", "resnet50.preprocess_input(pixels)", None, "VGG16"),
])
def test_applications_inside_loaded_models_are_identified(script, loaded_models, which, prepare, code, base):
    status, report = script(f"model = keras.models.load_model({loaded_models[which]!r})\n",
                            f"model.predict({prepare}, verbose=0)\n")
    (site,) = report.sites
    assert site.app is not None and site.app.name == base and site.app.weights == "the loaded model"
    assert observed(report) == ({(code, 8)} if code else set())


def test_a_loaded_model_without_an_application_says_not_identified(script, loaded_models):
    status, report = script(f"model = keras.models.load_model({loaded_models['own']!r})\n",
                            "model.predict(pixels, verbose=0)\n")
    (site,) = report.sites
    assert site.app is None and observed(report) == set()
    assert "base model: not identified" in str(report)
