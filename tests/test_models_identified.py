"""Know the model even when the code hides it (issue 12): saved files in the project read as data,
models trained in the project, other zoos, evidence around an opaque model, and ``cnnlint run`` on
loaded models. Each buggy case has its clean twin; saved models are built and saved in the tests."""
from __future__ import annotations

import json
import os
import pickle
import zipfile

import pytest

from conftest import cnnlint, write_files

keras = pytest.importorskip("keras")


@pytest.fixture(scope="session")
def saved(tmp_path_factory):
    """Model files as projects keep them: a nested MobileNetV2 (.keras), a flat VGG16 head (.h5), a
    model of its own with Rescaling in front (.keras), and the JSON architecture of the first."""
    folder = tmp_path_factory.mktemp("saved")
    base = keras.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35, input_shape=(96, 96, 3))
    nested = keras.Sequential([keras.Input((96, 96, 3)), base, keras.layers.GlobalAveragePooling2D(),
                               keras.layers.Dense(3, activation="softmax")])
    nested.save(folder / "flowers.keras")
    (folder / "flowers.json").write_text(nested.to_json())
    vgg = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    flat = keras.Model(vgg.input, keras.layers.Dense(2)(keras.layers.Flatten()(vgg.output)))
    flat.save(folder / "vgg_head.h5")
    own = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(4, 3),
                            keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    own.save(folder / "own.keras")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def lint_project(tmp_path, files: dict, models: dict, names=()) -> set[str]:
    write_files(tmp_path, files)
    for name in names:
        (tmp_path / name).write_bytes(models[name])
    found = json.loads(cnnlint("--format", "json", "--no-cache", ".", cwd=tmp_path).stdout)
    return {f["code"] for f in found}


SERVE = """
import numpy as np
from PIL import Image
from tensorflow import keras
model = keras.models.load_model("{name}")
image = np.asarray(Image.open("upload.jpg").convert("RGB").resize(({size}, {size})), dtype="float32")
"""


@pytest.mark.parametrize("name, size, last, expected", [
    ("flowers.keras", 96, "model.predict(image[None] / 255.0)", {"CNN104"}),
    ("flowers.keras", 96, "from keras.applications.mobilenet_v2 import preprocess_input\n"
                          "model.predict(preprocess_input(image[None]))", set()),
    ("vgg_head.h5", 64, "model.predict(image[None])", {"CNN101"}),
    ("vgg_head.h5", 64, "from keras.applications.vgg16 import preprocess_input\n"
                        "model.predict(preprocess_input(image[None]))", set()),
    ("vgg_head.h5", 48, "from keras.applications.vgg16 import preprocess_input\n"
                        "model.predict(preprocess_input(image[None]))", {"CNN202"}),
    ("own.keras", 32, "model.predict(image[None] / 255.0)", {"CNN103"}),
    ("own.keras", 32, "model.predict(image[None])", set()),
])
def test_saved_model_files_are_read_as_data(tmp_path, saved, name, size, last, expected):
    code = SERVE.format(name=name, size=size) + last + "\n"
    assert lint_project(tmp_path, {"serve.py": code}, saved, [name]) == expected


def test_model_from_json_of_a_project_file(tmp_path, saved):
    code = """
        import numpy as np
        from PIL import Image
        from tensorflow.keras.models import model_from_json
        with open("flowers.json") as f:
            model = model_from_json(f.read())
        model.load_weights("flowers.weights.h5")
        image = np.asarray(Image.open("a.jpg").convert("RGB").resize((96, 96)), dtype="float32") / 255.0
        model.predict(image[None])
    """
    assert lint_project(tmp_path, {"serve.py": code}, saved, ["flowers.json"]) == {"CNN104"}


def test_teachable_machine_export_without_its_model_file(tmp_path):
    files = {"labels.txt": "0 rock\n1 paper\n", "game.py": """
        import cv2
        import numpy as np
        from tensorflow.keras.models import load_model
        model = load_model("keras_model.h5", compile=False)
        ok, frame = cv2.VideoCapture(0).read()
        data = np.ndarray(shape=(1, 224, 224, 3), dtype=np.float32)
        data[0] = (cv2.resize(frame, (224, 224)).astype(np.float32) / 127.5) - 1
        model.predict(data)
    """}
    assert lint_project(tmp_path, files, {}) == {"CNN301"}
    files["game.py"] = files["game.py"].replace("cv2.resize(frame", "cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)")
    assert lint_project(tmp_path, files, {}) == set()


class _Hostile:
    """Unpickling this runs a command (it creates a file): cnnlint must never do it."""

    def __reduce__(self):
        return (os.system, ("touch unpickled-by-cnnlint",))


def test_nothing_in_a_saved_file_runs(tmp_path, saved):
    """A hostile pickle is never opened; a .keras holding a Lambda is read as JSON, its code never run."""
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(_Hostile()))
    with zipfile.ZipFile(saved_lambda := tmp_path / "lambda.keras", "w") as archive:
        config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [None, 8, 8, 3]}},
            {"class_name": "Lambda", "config": {"name": "l", "function": {
                "class_name": "__lambda__", "config": {"code": "ZXhpdCgp", "defaults": None, "closure": None}}}}]}}
        archive.writestr("config.json", json.dumps(config))
    write_files(tmp_path, {"serve.py": """
        import pickle
        from tensorflow import keras
        from keras.applications.resnet50 import preprocess_input
        model = pickle.load(open("model.pkl", "rb"))
        other = keras.models.load_model("lambda.keras", safe_mode=False)
        import numpy as np
        x = preprocess_input(np.zeros((1, 224, 224, 3)))
        model.predict(x)
        other.predict(x)
    """})
    result = cnnlint("--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "unpickled-by-cnnlint").exists() and saved_lambda.exists()


TRAIN = """
from tensorflow import keras
model = keras.Sequential([keras.Input((300, 300, 3)), keras.layers.Conv2D(8, 3), keras.layers.GlobalAveragePooling2D(),
                          keras.layers.Dense(2, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
data = keras.utils.image_dataset_from_directory("data", image_size=(300, 300)).map(lambda x, y: (x / 255.0, y))
model.fit(data, epochs=5)
model.save("models/classifier.keras")
"""
PREDICT = """
import cv2
import numpy as np
from tensorflow.keras.models import load_model
model = load_model("../models/classifier.keras")
image = cv2.cvtColor(cv2.imread("x.jpg"), cv2.COLOR_BGR2RGB)
"""


@pytest.mark.parametrize("last, expected", [
    ("model.predict(np.expand_dims(cv2.resize(image, (300, 300)) / 255.0, 0))", set()),
    ("model.predict(np.expand_dims(cv2.resize(image, (224, 224)) / 255.0, 0))", {"CNN403"}),
    ("model.predict(np.expand_dims(cv2.resize(image, (300, 300)), 0))", {"CNN403"}),
    ("model.predict(cv2.resize(image, (300, 300)) / 255.0)", {"CNN203"}),
    ("model.predict(np.expand_dims(cv2.resize(cv2.imread('x.jpg'), (300, 300)) / 255.0, 0))", {"CNN301"}),
    ("gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)\nmodel.predict(np.expand_dims(cv2.resize(gray, (300, 300)) / 255.0, 0))",
     {"CNN204"}),
])
def test_a_model_trained_in_the_project_expects_what_it_was_trained_on(tmp_path, last, expected):
    files = {"train.py": TRAIN, "app/predict.py": PREDICT + last + "\n"}
    assert lint_project(tmp_path, files, {}) == expected


@pytest.mark.parametrize("code, expected", [
    ("from classification_models.keras import Classifiers\nResNet18, prep = Classifiers.get('resnet18')\n"
     "ResNet18(input_shape=(224, 224, 3), weights='imagenet', include_top=False).predict(x / 255.0)", {"CNN104"}),
    ("from classification_models.keras import Classifiers\nResNet18, prep = Classifiers.get('resnet18')\n"
     "ResNet18(input_shape=(224, 224, 3), weights='imagenet', include_top=False).predict(prep(x))", set()),
    ("from classification_models.tfkeras import Classifiers\nVGG, prep = Classifiers.get('vgg16')\n"
     "VGG(weights='imagenet').predict(x)", {"CNN101"}),
    ("import efficientnet.keras as efn\nefn.EfficientNetB0(weights='imagenet').predict(x)", {"CNN101"}),
    ("import efficientnet.keras as efn\nefn.EfficientNetB0(weights='imagenet').predict(efn.preprocess_input(x))",
     set()),
    ("import keras_hub\nkeras_hub.models.ImageClassifier.from_preset('resnet_50_imagenet').predict(x / 255.0)",
     {"CNN104"}),
])
def test_models_of_other_zoos(code, expected, codes):
    prelude = ("import numpy as np\nfrom keras.utils import img_to_array, load_img\n"
               "x = np.expand_dims(img_to_array(load_img('a.jpg', target_size=(224, 224))), 0)\n")
    assert codes(prelude + code + "\n") == expected


def test_weights_of_a_known_model_loaded_into_a_model_defined_in_the_project(codes):
    project = {"inception_v4.py": """
from tensorflow import keras
def create_model(num_classes=1001):
    inputs = keras.Input((299, 299, 3))
    x = keras.layers.Conv2D(32, 3, strides=2)(inputs)
    return keras.Model(inputs, keras.layers.Dense(num_classes)(keras.layers.GlobalAveragePooling2D()(x)))
""", "classify.py": """
import numpy as np
from keras.utils import img_to_array, load_img
from inception_v4 import create_model
model = create_model(num_classes=1001)
model.load_weights("weights/inception-v4_weights_tf_dim_ordering_tf_kernels.h5")
model.predict(np.expand_dims(img_to_array(load_img("a.jpg", target_size=(299, 299))) {scale}, 0))
"""}
    assert codes({**project, "classify.py": project["classify.py"].format(scale="/ 255.0")}) == {"CNN104"}
    assert codes({**project, "classify.py": project["classify.py"].format(scale="/ 127.5 - 1")}) == set()


@pytest.mark.parametrize("code, expected", [
    ("x = preprocess_input(cv2.resize(cv2.imread('a.jpg'), (224, 224)).astype('float32'))[None]\n"
     "model.predict(x)", {"CNN301"}),
    ("x = preprocess_input(cv2.resize(cv2.imread('a.jpg'), (224, 224)).astype('float32'))\nmodel.predict(x)",
     {"CNN203", "CNN301"}),
    ("x = cv2.resize(cv2.imread('a.jpg'), (224, 224)).astype('float32')[None]\nmodel.predict(x)", set()),
    ("x = cv2.resize(cv2.imread('a.jpg'), (224, 224))[None] / 255.0\nmodel.predict(x)", set()),
    ("x = cv2.cvtColor(cv2.resize(cv2.imread('a.jpg'), (224, 224)), cv2.COLOR_BGR2GRAY)[None]\n"
     "print(decode_predictions(model.predict(x)))", {"CNN204"}),
])
def test_evidence_around_a_model_of_unknown_origin(code, expected, lint_code):
    """An unpickled model, given a family's preprocess_input or decoded as ImageNet predictions, takes
    3-channel RGB batches; the value range is never judged from that evidence."""
    prelude = ("import pickle\nimport cv2\nfrom keras.applications.mobilenet_v2 import preprocess_input, "
               "decode_predictions\nmodel = pickle.load(open('model.pkl', 'rb'))\n")
    found = lint_code(prelude + code + "\n")
    assert {f.code for f in found} == expected
    assert all("inferred from" in f.message for f in found if f.code in ("CNN203", "CNN204"))
