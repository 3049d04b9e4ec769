"""Real code, not textbook code (issue 11): each construct that made the analysis lose the facts in
real public notebooks and scripts, as a buggy version and its clean twin.

The code here is written for these tests; each case names the construct it stands for. The
expected codes are exactly what cnnlint must report.
"""
from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import cnnlint, write_files

# A VGG16 written out layer by layer (as fast.ai's course did), given keras's own VGG16 weights, with
# {front} as its first layer; run.py predicts raw 0..255 batches with it.
HAND_BUILT_VGG = """
import numpy as np
from keras.models import Sequential
from keras.layers import Lambda, Dense, Flatten, ZeroPadding2D, Conv2D, MaxPooling2D
from keras.utils import get_file
MEAN = np.array([123.68, 116.779, 103.939], dtype=np.float32).reshape((1, 1, 3))
def vgg_preprocess(x):
    return {preprocess}
class Vgg16:
    def __init__(self):
        self.model = Sequential()
        self.model.add({front})
        for filters in (64, 128):
            self.model.add(ZeroPadding2D((1, 1)))
            self.model.add(Conv2D(filters, 3, activation="relu"))
            self.model.add(MaxPooling2D())
        self.model.add(Flatten())
        self.model.add(Dense(1000, activation="softmax"))
        self.model.load_weights(get_file("vgg16.h5", "http://example.org/models/vgg16.h5"))
"""
HAND_BUILT_RUN = """
from keras.preprocessing.image import ImageDataGenerator
from vgg16 import Vgg16
model = Vgg16().model
batches = ImageDataGenerator().flow_from_directory("valid", target_size=(224, 224), shuffle=False)
model.predict(batches)
"""
LAMBDA = "Lambda(vgg_preprocess, input_shape=(224, 224, 3))"


def hand_built_vgg(preprocess: str, front: str = LAMBDA) -> dict[str, str]:
    return {"vgg16.py": HAND_BUILT_VGG.format(preprocess=preprocess, front=front), "run.py": HAND_BUILT_RUN}


CASES = {
    # -- 1. data sources ---------------------------------------------------------------------------
    "tfrecord-parse-decode-in-helpers": ({"CNN101"}, """
import tensorflow as tf
FEATURES = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}
def parse(example):
    features = tf.io.parse_single_example(example, FEATURES)
    return decode(features["image"]), features["label"]
def decode(data):
    image = tf.io.decode_jpeg(data, channels=3)
    return tf.image.resize(image, (224, 224))
ds = tf.data.TFRecordDataset(["train.tfrecord"]).map(parse).batch(32)
model = tf.keras.applications.ResNet50(weights="imagenet")
model.evaluate(ds)
"""),
    "clean-tfrecord-preprocessed": (set(), """
import tensorflow as tf
FEATURES = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}
def parse(example):
    features = tf.io.parse_single_example(example, FEATURES)
    image = tf.image.resize(tf.io.decode_jpeg(features["image"], channels=3), (224, 224))
    return tf.keras.applications.resnet50.preprocess_input(image), features["label"]
ds = tf.data.TFRecordDataset(["train.tfrecord"]).map(parse).batch(32)
tf.keras.applications.ResNet50(weights="imagenet").evaluate(ds)
"""),
    "tfds-split-dict-with-info": ({"CNN104"}, """
import tensorflow as tf
import tensorflow_datasets as tfds
splits, info = tfds.load("tf_flowers", with_info=True, as_supervised=True)
def prepare(image, label):
    return tf.image.resize(image, (224, 224)) / 255.0, label
train = splits["train"].map(prepare).batch(32)
base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(5)])
model.fit(train, epochs=3)
"""),
    "clean-tfds-split-dict-with-info": (set(), """
import tensorflow as tf
import tensorflow_datasets as tfds
splits, info = tfds.load("tf_flowers", with_info=True, as_supervised=True)
def prepare(image, label):
    return tf.keras.applications.mobilenet_v2.preprocess_input(tf.image.resize(image, (224, 224))), label
train = splits["train"].map(prepare).batch(32)
base = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(5)])
model.fit(train, epochs=3)
"""),
    "keras-datasets-cifar-scaled": ({"CNN104"}, """
from tensorflow.keras.datasets import cifar10
from tensorflow.keras.applications import VGG16
(x_train, y_train), (x_test, y_test) = cifar10.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
base = VGG16(include_top=False, weights="imagenet", input_shape=(32, 32, 3))
features = base.predict(x_test)
print(features.mean())
"""),
    "clean-keras-datasets-cifar-preprocessed": (set(), """
from tensorflow.keras.datasets import cifar10
from tensorflow.keras.applications import VGG16
from tensorflow.keras.applications.vgg16 import preprocess_input
(x_train, y_train), (x_test, y_test) = cifar10.load_data()
base = VGG16(include_top=False, weights="imagenet", input_shape=(32, 32, 3))
features = base.predict(preprocess_input(x_test.astype("float32")))
print(features.mean())
"""),
    "flow-without-y-and-indexed-generator": ({"CNN104"}, """
import numpy as np
from keras.preprocessing.image import ImageDataGenerator
from keras.applications import InceptionV3
images = np.load("faces.npy")
batches = ImageDataGenerator(rescale=1.0 / 255).flow(images, batch_size=16, shuffle=False)
model = InceptionV3(weights="imagenet", include_top=False)
features = model.predict(batches[0])
print(features.sum())
"""),
    "clean-flow-without-y-preprocessed": (set(), """
import numpy as np
from keras.preprocessing.image import ImageDataGenerator
from keras.applications import InceptionV3
from keras.applications.inception_v3 import preprocess_input
images = np.load("faces.npy")
batches = ImageDataGenerator(preprocessing_function=preprocess_input).flow(images, batch_size=16)
model = InceptionV3(weights="imagenet", include_top=False)
print(model.predict(batches[0]).sum())
"""),
    "model-under-a-distribution-strategy": ({"CNN101"}, """
import tensorflow as tf
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.applications.Xception(weights="imagenet")
ds = tf.keras.utils.image_dataset_from_directory("photos", image_size=(299, 299), shuffle=False)
model.evaluate(ds)
"""),
    # -- 2. data handed over through files ---------------------------------------------------------
    "arrays-saved-by-one-script-loaded-by-another": ({"CNN104"}, {
        "prepare.py": """
import glob
import cv2
import numpy as np
X = []
for path in glob.glob("data/*.jpg"):
    X.append(cv2.resize(cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB), (224, 224)))
np.save("features.npy", np.array(X) / 255.0)
""",
        "train.py": """
import numpy as np
from tensorflow.keras.applications import DenseNet121
X = np.load("/content/features.npy")
base = DenseNet121(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
embeddings = base.predict(X)
np.save("embeddings.npy", embeddings)
""",
    }),
    "clean-arrays-saved-preprocessed": (set(), {
        "prepare.py": """
import glob
import cv2
import numpy as np
from tensorflow.keras.applications.densenet import preprocess_input
X = [cv2.resize(cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2RGB), (224, 224)) for p in glob.glob("data/*.jpg")]
np.save("features.npy", preprocess_input(np.array(X, dtype="float32")))
""",
        "train.py": """
import numpy as np
from tensorflow.keras.applications import DenseNet121
X = np.load("features.npy")
embeddings = DenseNet121(weights="imagenet", include_top=False, input_shape=(224, 224, 3)).predict(X)
np.save("embeddings.npy", embeddings)
""",
    }),
    "image-written-resized-and-read-back": (set(), """
import cv2
import numpy as np
from keras.applications import VGG16
from keras.applications.vgg16 import preprocess_input
frame = cv2.resize(cv2.imread("raw.png"), (224, 224))
cv2.imwrite("small.jpg", frame)
x = cv2.cvtColor(cv2.imread("small.jpg"), cv2.COLOR_BGR2RGB)
VGG16(weights="imagenet").predict(preprocess_input(np.expand_dims(x.astype("float32"), 0)))
"""),
    # -- 3. library transforms -----------------------------------------------------------------------
    "standard-scaler-on-images": ({"CNN104"}, """
import numpy as np
from sklearn.preprocessing import StandardScaler
from tensorflow.keras.applications import ResNet50
from tensorflow.keras.utils import img_to_array, load_img
X = np.array([img_to_array(load_img(p, target_size=(224, 224))) for p in ["a.jpg", "b.jpg"]])
flat = StandardScaler().fit_transform(X.reshape(len(X), -1))
features = ResNet50(weights="imagenet", include_top=False).predict(flat.reshape(-1, 224, 224, 3))
print(features.shape, features.mean())
"""),
    "standardised-by-hand": ({"CNN104"}, """
import numpy as np
from PIL import Image
from keras.applications import MobileNetV2
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)), dtype="float32")
x = (img - img.mean()) / img.std()
MobileNetV2(weights="imagenet").predict(x[None])
"""),
    "clean-torch-mode-by-hand-for-densenet": (set(), """
import numpy as np
from PIL import Image
from keras.applications import DenseNet121
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)), dtype="float32")
x = (img / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
DenseNet121(weights="imagenet").predict(x[None])
"""),
    "skimage-resize-makes-floats-in-0-1": ({"CNN104"}, """
import numpy as np
from skimage import io, transform
from keras.applications import Xception
img = transform.resize(io.imread("a.jpg"), (299, 299))
Xception(weights="imagenet").predict(img[np.newaxis])
"""),
    "clean-skimage-resize-preserve-range": (set(), """
import numpy as np
from skimage import io, transform
from keras.applications import Xception
from keras.applications.xception import preprocess_input
img = transform.resize(io.imread("a.jpg"), (299, 299), preserve_range=True)
Xception(weights="imagenet").predict(preprocess_input(img[np.newaxis]))
"""),
    # -- 4. library idioms ----------------------------------------------------------------------------
    "train-test-split-keeps-the-facts": ({"CNN101"}, """
import numpy as np
from sklearn.model_selection import train_test_split
from keras.applications import InceptionResNetV2
from keras.utils import img_to_array, load_img
X = np.array([img_to_array(load_img(f"img{i}.jpg", target_size=(299, 299))) for i in range(100)])
X_train, X_test, y_train, y_test = train_test_split(X, np.zeros(100), test_size=0.2)
InceptionResNetV2(weights="imagenet").predict(X_test)
"""),
    "preallocated-batch-filled-by-index": ({"CNN101"}, """
import numpy as np
from PIL import Image
from keras.applications import MobileNet
data = np.ndarray(shape=(1, 224, 224, 3), dtype=np.float32)
data[0] = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
MobileNet(weights="imagenet").predict(data)
"""),
    "clean-preallocated-batch-normalised": (set(), """
import numpy as np
from PIL import Image
from keras.applications import MobileNet
data = np.ndarray(shape=(1, 224, 224, 3), dtype=np.float32)
image = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
data[0] = (image.astype(np.float32) / 127.5) - 1
MobileNet(weights="imagenet").predict(data)
"""),
    "old-keras-calls-and-fstring-handle": ({"CNN104"}, """
import numpy as np
import tensorflow_hub as hub
from PIL import Image
SIZE = 224
classifier = hub.KerasLayer(f"https://tfhub.dev/google/imagenet/mobilenet_v2_100_{SIZE}/classification/5")
x = np.array(Image.open("a.jpg").convert("RGB").resize((SIZE, SIZE)), dtype=np.float32)[None]
classifier(x)
"""),
    "inherited-helper-class": ({"CNN101"}, """
import numpy as np
from PIL import Image
from keras.applications import ResNet50V2
class Base:
    def __init__(self, size):
        self.size = size
        self.model = ResNet50V2(weights="imagenet")
class Classifier(Base):
    def __init__(self):
        super().__init__(224)
    def predict(self, path):
        image = Image.open(path).convert("RGB").resize((self.size, self.size))
        return self.model.predict(np.asarray(image, dtype=np.float32)[None])
Classifier().predict("a.jpg")
"""),
    # -- 5. alternatives -------------------------------------------------------------------------------
    "list-of-bases-with-one-preprocessing": ({"CNN102", "CNN202"}, """
import numpy as np
from keras.applications import VGG16, VGG19, ResNet50, Xception, MobileNetV2
from keras.applications.resnet50 import preprocess_input
from keras.utils import img_to_array, load_img
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
for build in [VGG16, VGG19, ResNet50, Xception, MobileNetV2]:
    model = build(weights="imagenet")
    print(model.predict(preprocess_input(x.copy())).argmax())
"""),
    "clean-model-and-preprocessing-chosen-together": (set(), """
import sys
import numpy as np
from keras.applications import VGG16, MobileNetV2, vgg16, mobilenet_v2
from keras.utils import img_to_array, load_img
if sys.argv[1] == "vgg":
    model, prepare = VGG16(weights="imagenet"), vgg16.preprocess_input
else:
    model, prepare = MobileNetV2(weights="imagenet"), mobilenet_v2.preprocess_input
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
print(model.predict(prepare(x)).argmax())
"""),
    "clean-dicts-indexed-by-the-same-choice": (set(), """
import argparse
import numpy as np
from keras.applications import VGG16, MobileNetV2, vgg16, mobilenet_v2
from keras.utils import img_to_array, load_img
MODELS = {"vgg16": VGG16, "mobilenet": MobileNetV2}
PREPARE = {"vgg16": vgg16.preprocess_input, "mobilenet": mobilenet_v2.preprocess_input}
args = argparse.ArgumentParser().parse_args()
model = MODELS[args.arch](weights="imagenet")
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
print(model.predict(PREPARE[args.arch](x)).argmax())
"""),
    "model-chosen-in-an-if-one-branch-wrong": ({"CNN104"}, """
import sys
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(lambda x, y: (x / 255.0, y))
if len(sys.argv) > 1:
    model = tf.keras.models.load_model(sys.argv[1])
else:
    model = tf.keras.Sequential([tf.keras.applications.ResNet50V2(include_top=False, weights="imagenet"),
                                 tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(3)])
model.fit(ds, epochs=2)
"""),
    # -- 6. functional models -------------------------------------------------------------------------
    "layer-from-another-package-and-a-list": ({"CNN104"}, """
import tensorflow as tf
from tensorflow_examples.models.pix2pix import pix2pix
base = tf.keras.applications.MobileNetV2(input_shape=[128, 128, 3], include_top=False)
skips = [base.get_layer(name).output for name in ["block_1_expand_relu", "block_16_project"]]
down = tf.keras.Model(inputs=base.input, outputs=skips)
inputs = tf.keras.layers.Input(shape=[128, 128, 3])
low, high = down(inputs)
x = pix2pix.upsample(128, 3)(high)
x = tf.keras.layers.Concatenate()([x, low])
model = tf.keras.Model(inputs=inputs, outputs=tf.keras.layers.Conv2DTranspose(3, 3, strides=2)(x))
def load(path):
    return tf.image.resize(tf.io.decode_png(tf.io.read_file(path), channels=3), (128, 128)) / 255.0
model.fit(tf.data.Dataset.list_files("*.png").map(load).batch(8))
"""),
    "subclassed-layer-as-a-map-function": ({"CNN104"}, """
import tensorflow as tf
class Scale(tf.keras.layers.Layer):
    def call(self, image, label):
        return image / 255.0, label
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(Scale())
tf.keras.applications.EfficientNetB0(weights="imagenet").evaluate(ds)
"""),
    "head-on-base-output-unfrozen-later": ({"CNN503"}, """
from keras.applications import Xception
from keras.engine import Model
from keras.layers import Dense, GlobalAveragePooling2D
base = Xception(weights="imagenet", include_top=False)
model = Model(base.input, Dense(5, activation="softmax")(GlobalAveragePooling2D()(base.output)))
for layer in base.layers:
    layer.trainable = False
model.fit_generator(train_gen, epochs=5)
for layer in base.layers[-30:]:
    layer.trainable = True
model.fit_generator(train_gen, epochs=5)
"""),
    # -- 7b. files opened as they are (CNN204) ---------------------------------------------------------
    "upload-opened-as-is": ({"CNN204"}, """
import numpy as np
from flask import request
from PIL import Image
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
model = MobileNetV2(weights="imagenet")
def classify():
    image = Image.open(request.files["image"]).resize((224, 224))
    return model.predict(preprocess_input(np.expand_dims(np.array(image, dtype="float32"), 0)))
"""),
    "png-named-by-glob-opened-as-is": ({"CNN204"}, """
import glob
import numpy as np
from PIL import Image
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
model = MobileNetV2(weights="imagenet")
for path in glob.glob("scans/*.png"):
    image = Image.open(path).resize((224, 224))
    model.predict(preprocess_input(np.expand_dims(np.array(image, dtype="float32"), 0)))
"""),
    # a file whose type the code does not name (whatever a folder holds, a path argument): unknown, silence
    "clean-files-of-unknown-type-opened-as-is": (set(), """
import os
import sys
import numpy as np
from PIL import Image
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
model = MobileNetV2(weights="imagenet")
def classify(path):
    image = Image.open(path).resize((224, 224))
    return model.predict(preprocess_input(np.expand_dims(np.array(image, dtype="float32"), 0)))
for name in os.listdir("photos"):
    classify(os.path.join("photos", name))
classify(sys.argv[1])
"""),
    "clean-files-named-jpeg-by-their-name-or-folder": (set(), """
import os
import numpy as np
from PIL import Image
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
model = MobileNetV2(weights="imagenet")
names = open("train.txt").read().split()
for name in names:
    for path in (r"D:\\data\\jpg" + "/" + name, f"VOC2012/JPEGImages/{name}", "photos/" + name + ".jpg",
                 os.path.join("VOC2012", "JPEGImages", name)):
        image = Image.open(path).resize((224, 224))
        model.predict(preprocess_input(np.expand_dims(np.array(image, dtype="float32"), 0)))
"""),
    # -- 7c. a network written out layer by layer, given known weights ------------------------------------
    "hand-built-vgg-with-preprocessing-lambda-wrong": ({"CNN104"}, hand_built_vgg("x / 255.0")),
    "clean-hand-built-vgg-with-preprocessing-lambda": (set(), hand_built_vgg("(x - MEAN)[..., ::-1]")),
    "hand-built-vgg-without-preprocessing": ({"CNN101"}, hand_built_vgg(
        "PREPROCESS", front="ZeroPadding2D((1, 1), input_shape=(224, 224, 3))")),
    # -- 8. connections across functions and files ------------------------------------------------------
    "driver-without-trigger-words": ({"CNN404"}, {
        "pipeline.py": """
from tensorflow.keras.applications import VGG16
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.applications.vgg16 import preprocess_input
def build():
    gen = ImageDataGenerator(preprocessing_function=preprocess_input)
    return VGG16(weights="imagenet"), gen.flow_from_directory("test", target_size=(224, 224))
def report(model, generator):
    predictions = model.predict(generator).argmax(axis=1)
    return (predictions == generator.classes).mean()
""",
        "main.py": """
from pipeline import build, report
net, batches = build()
print(report(net, batches))
""",
    }),
    # -- 9. evaluation order with datasets ------------------------------------------------------------------
    "labels-from-another-pass-of-a-shuffled-dataset": ({"CNN404"}, """
import numpy as np
import tensorflow as tf
from sklearn.metrics import confusion_matrix
val = tf.keras.utils.image_dataset_from_directory("val", image_size=(224, 224))
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
predicted = model.predict(val).argmax(axis=1)
labels = np.concatenate([y for x, y in val])
print(confusion_matrix(labels, predicted))
"""),
    "clean-labels-from-a-dataset-without-shuffling": (set(), """
import numpy as np
import tensorflow as tf
from sklearn.metrics import confusion_matrix
val = tf.keras.utils.image_dataset_from_directory("val", image_size=(224, 224), shuffle=False)
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
predicted = model.predict(val).argmax(axis=1)
labels = np.concatenate([y for x, y in val])
print(confusion_matrix(labels, predicted))
"""),
    "clean-labels-and-predictions-in-one-loop": (set(), """
import numpy as np
import tensorflow as tf
from sklearn.metrics import confusion_matrix
val = tf.keras.utils.image_dataset_from_directory("val", image_size=(224, 224))
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
labels, predicted = [], []
for x, y in val:
    labels.append(y)
    predicted.append(model.predict(x).argmax(axis=1))
print(confusion_matrix(np.concatenate(labels), np.concatenate(predicted)))
"""),
    # -- 10. precision -----------------------------------------------------------------------------------
    "clean-decode-image-float-for-a-hub-model": (set(), """
import tensorflow as tf
import tensorflow_hub as hub
model = hub.KerasLayer("https://tfhub.dev/google/imagenet/inception_v3/classification/5")
image = tf.io.decode_image(tf.io.read_file("a.jpg"), channels=3, dtype=tf.float32)
model(tf.image.resize(image, (299, 299))[None])
"""),
    "clean-predictions-only-for-their-shape": (set(), """
import tensorflow as tf
base = tf.keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(160, 160))
images, labels = next(iter(train))
features = base(images)
pooled = tf.keras.layers.GlobalAveragePooling2D()(features)
print(pooled.shape)
"""),
    "clean-preprocess-input-in-place": (set(), """
import numpy as np
from keras.applications.inception_v3 import InceptionV3, preprocess_input
from keras.utils import img_to_array, load_img
x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(299, 299))), 0)
scaled = preprocess_input(x)  # scales x itself: float arrays are changed in place
InceptionV3(weights="imagenet").predict(x)
"""),
    "clean-later-fit-is-not-earlier-training": (set(), """
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(),
                          keras.layers.Dense(2, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
x = np.random.rand(10, 64, 64, 3) * 255
model.predict(x)
model.fit(x / 255.0, np.zeros(10), epochs=1)
"""),
}


@pytest.mark.parametrize("expected, code", CASES.values(), ids=CASES.keys())
def test_real_code_construct(expected, code, codes):
    assert codes(code) == expected


def test_a_notebook_cell_that_does_not_parse_is_left_out(tmp_path):
    """An exercise's blank in one cell: that cell is CNN000, the others are still analysed."""
    cells = [new_code_cell("from keras.applications import ResNet50\nfrom keras.utils import img_to_array, "
                           "load_img\nimport numpy as np"),
             new_code_cell("model = ResNet50(weights='imagenet')"),
             new_code_cell("x = # YOUR CODE HERE"),
             new_code_cell("x = np.expand_dims(img_to_array(load_img('a.jpg', target_size=(224, 224))), 0)\n"
                           "model.predict(x)")]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "exercise.ipynb"))
    found = json.loads(cnnlint("--format", "json", "exercise.ipynb", cwd=tmp_path).stdout)
    assert [(f["code"], f["cell"]) for f in found] == [("CNN000", 3), ("CNN101", 4)]
    assert "this cell is left out of the analysis" in found[0]["message"]


def test_names_a_left_out_cell_would_assign_are_unknown(tmp_path):
    """x was preprocessed before the broken cell reassigned it: nothing is said about x after it."""
    cells = [new_code_cell("from keras.applications.resnet50 import ResNet50, preprocess_input\n"
                           "from keras.utils import img_to_array, load_img\nimport numpy as np\n"
                           "x = np.expand_dims(img_to_array(load_img('a.jpg', target_size=(224, 224))), 0)"),
             new_code_cell("x = preprocess_input(x"),
             new_code_cell("ResNet50(weights='imagenet').predict(x)")]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "nb.ipynb"))
    found = json.loads(cnnlint("--format", "json", "nb.ipynb", cwd=tmp_path).stdout)
    assert [f["code"] for f in found] == ["CNN000"]


def test_a_script_with_one_bad_statement_is_analysed_around_it(tmp_path):
    write_files(tmp_path, {"app.py": """\
        import numpy as np
        from keras.applications import VGG16
        from keras.utils import img_to_array, load_img
        print "loading"
        x = np.expand_dims(img_to_array(load_img("a.jpg", target_size=(224, 224))), 0)
        VGG16(weights="imagenet").predict(x)
    """})
    found = json.loads(cnnlint("--format", "json", "app.py", cwd=tmp_path).stdout)
    assert [(f["code"], f["line"]) for f in found] == [("CNN000", 4), ("CNN101", 6)]


def test_findings_under_alternatives_name_them(lint_code):
    (finding,) = [f for f in lint_code(CASES["list-of-bases-with-one-preprocessing"][1]) if f.code == "CNN202"]
    assert finding.message.endswith("(for Xception in `[VGG16, VGG19, ResNet50, Xception, MobileNetV2]`)")
    (wrong_family,) = [f for f in lint_code(CASES["list-of-bases-with-one-preprocessing"][1]) if f.code == "CNN102"]
    assert "(for Xception and MobileNetV2 (2 of the 5) in" in wrong_family.message


GUARDS = {
    "output-shape-guard": "if model.output_shape[-1] > 1:\n    label = np.argmax(preds, axis=1)\nelse:\n"
                          "    label = (preds > 0.5).astype(int)",
    "row-length-guard": "if len(preds[0]) > 1:\n    label = preds.argmax(axis=-1)\nelse:\n    label = preds > 0.5",
    "shape-guard-else": "if preds.shape[1] == 1:\n    label = preds > 0.5\nelse:\n    label = np.argmax(preds, axis=1)",
}
ONE_UNIT = """
import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
preds = model.predict(np.zeros((4, 32, 32, 3)))
"""


@pytest.mark.parametrize("guard", GUARDS.values(), ids=GUARDS.keys())
def test_a_guard_on_the_number_of_units_prunes_the_branch(guard, codes):
    """CNN501's argmax over one unit is not reported where the code has checked there are several."""
    assert codes(ONE_UNIT + guard + "\n") == set()
    assert codes(ONE_UNIT + "label = np.argmax(preds, axis=1)\n") == {"CNN501"}


FIXED_FILES = """
import os
import numpy as np
from PIL import Image
from keras.applications.resnet50 import ResNet50, preprocess_input
HERE = os.path.dirname(os.path.abspath(__file__))
model = ResNet50(weights="imagenet")
for name in ("cat.jpg", "dog.jpg", "logo.png"):
    image = Image.open(os.path.join(HERE, "images/" + name))
    model.predict(preprocess_input(np.expand_dims(np.array(image, dtype="float32"), 0)))
scan = np.array(Image.open(os.path.join(HERE, "images", "scan.jpg")), dtype="float32")
model.predict(preprocess_input(scan[None]))
"""


def test_the_project_s_own_image_files_are_read_for_their_size_and_channels(tmp_path):
    """A benchmark that feeds the images kept in the repository: a 224x224 RGB JPEG needs no resize
    and no conversion; the others are reported for what their headers say, and for them only."""
    from PIL import Image

    (tmp_path / "app" / "images").mkdir(parents=True)
    Image.new("RGB", (224, 224)).save(tmp_path / "app" / "images" / "cat.jpg")
    Image.new("RGB", (500, 375)).save(tmp_path / "app" / "images" / "dog.jpg")
    Image.new("RGBA", (224, 224)).save(tmp_path / "app" / "images" / "logo.png")
    Image.new("L", (224, 224)).save(tmp_path / "app" / "images" / "scan.jpg")  # a grayscale JPEG: 1 channel
    write_files(tmp_path, {"app/bench.py": FIXED_FILES})
    found = json.loads(cnnlint("--format", "json", "--no-cache", ".", cwd=tmp_path).stdout)
    assert sorted((f["code"], f["line"], f["message"].rsplit("(for ", 1)[-1][:11]) for f in found) == [
        ("CNN201", 10, "'dog.jpg' i"), ("CNN204", 10, "'logo.png' "), ("CNN204", 12, "ResNet50 ta")]
    assert "(500 wide, 375 high)" in next(f["message"] for f in found if f["code"] == "CNN201")
    assert "has 1 channel (grayscale)" in found[-1]["message"]
