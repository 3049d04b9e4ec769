"""Dataflow for CNN105, CNN204, CNN301, CNN401 and CNN402: aliases, helpers (also across modules),
branches, clean counterparts and models trained from scratch.

Each case is real code; the expected set is exactly the codes cnnlint must report. A case marked
xfail(strict=True) is a known analysis bug: it shows what should be reported, and fails loudly once
the analysis is fixed so the mark can go.

What holds for models without pre-trained expectations (weights=None, loaded, unknown), per rule module:

- CNN105: the uint8 wrap-around is an event on the expression itself, reported whatever the model
  (or with no model at all); the tf.image.convert_image_dtype part compares the range with the
  model's expectation, so it is silent for weights=None.
- CNN204: a `.convert()` whose result is thrown away is an event, reported whatever the model; a
  1- or 4-channel image reaching a model is reported only when the model has expectations.
- CNN301: BGR images reaching a model, directly or through a preprocess_input, are reported only
  when the model is pre-trained: a model trained from scratch on BGR images is consistent.
- CNN401 and CNN402 speak only about models cnnlint identifies as pre-trained (the catalog's rule:
  no finding for weights=None or unknown models), although repeated or unbatched input would be
  wrong for any model.
"""
from __future__ import annotations

import pytest


def fixed(expected, code, reason=""):
    """A case that was a known analysis bug (``reason`` says which) and is fixed: an ordinary test now."""
    return expected, code


def bug(expected: set[str], code, reason: str):
    """A case the analysis gets wrong today: ``expected`` is what it must report."""
    return pytest.param(expected, code, marks=pytest.mark.xfail(strict=True, reason=reason))


PIL_LOAD = """
import numpy as np
from PIL import Image
"""

KERAS_LOAD = """
import numpy as np
from keras.utils import img_to_array, load_img
"""

CASES = {
    # -- CNN105 uint8-arithmetic ----------------------------------------------------------------
    "105-import-alias-numpy": ({"CNN105"}, """
import numpy as xp
from PIL import Image as PILImage
from keras.applications.mobilenet_v2 import MobileNetV2
img = xp.asarray(PILImage.open("a.jpg").convert("RGB").resize((224, 224)))
x = (img - 127) / 127.0
MobileNetV2().predict(x[None])
"""),
    "105-variable-holding-convert-image-dtype": ({"CNN105"}, """
import tensorflow as tf
to_unit = tf.image.convert_image_dtype
model = tf.keras.applications.InceptionV3(weights="imagenet")
img = tf.image.resize(tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3), (299, 299))
x = to_unit(img, tf.float32)
model.predict(x[None])
"""),
    "105-uint8-mean-array-in-a-variable": ({"CNN105"}, PIL_LOAD + """
from keras.applications.vgg16 import VGG16
MEAN = np.array([124, 117, 104], dtype=np.uint8)
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
centred = img - MEAN
VGG16().predict(centred[None].astype("float32"))
"""),
    "105-wrap-inside-helper": ({"CNN105"}, PIL_LOAD + """
from keras.applications.xception import Xception
def load(path):
    arr = np.array(Image.open(path).convert("RGB").resize((299, 299)))
    return (arr - 128) / 128.0
Xception().predict(load("a.jpg")[None])
"""),
    "105-tf-tensor-wraps-through-helper": ({"CNN105"}, """
import tensorflow as tf
def brighten(path):
    img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    return img + 40
x = brighten("a.jpg")
"""),
    "105-both-branches-uint8": ({"CNN105"}, PIL_LOAD + """
import sys
from keras.applications.mobilenet import MobileNet
if sys.argv[1:]:
    img = np.asarray(Image.open(sys.argv[1]).convert("RGB").resize((224, 224)))
else:
    img = np.asarray(Image.open("default.jpg").convert("RGB").resize((224, 224)))
MobileNet().predict(((img - 127) / 127.0)[None])
"""),
    "clean-105-one-branch-converts-to-float": (set(), PIL_LOAD + """
import sys
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
if sys.argv[1:]:
    img = img.astype("float32")
centred = img - 127
"""),
    "105-convert-image-dtype-after-both-branches": ({"CNN105"}, """
import sys
import tensorflow as tf
model = tf.keras.applications.ResNet50V2(weights="imagenet")
if sys.argv[1:]:
    raw = tf.io.decode_jpeg(tf.io.read_file(sys.argv[1]), channels=3)
else:
    raw = tf.io.decode_jpeg(sys.stdin.buffer.read(), channels=3)
img = tf.image.convert_image_dtype(raw, tf.float32)
model.predict(tf.image.resize(img, (224, 224))[None])
"""),
    "105-convert-image-dtype-in-both-branches": bug({"CNN105"}, """
import sys
import tensorflow as tf
model = tf.keras.applications.ResNet50V2(weights="imagenet")
if sys.argv[1:]:
    img = tf.image.convert_image_dtype(tf.io.decode_jpeg(tf.io.read_file(sys.argv[1]), channels=3), tf.float32)
else:
    img = tf.image.convert_image_dtype(tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3), tf.float32)
model.predict(tf.image.resize(img, (224, 224))[None])
""", "reported as CNN104, not CNN105: join() keeps an image's steps only when both paths have the same "
     "steps, and the two convert steps differ by line, so scale_verdict no longer sees the convert"),
    "clean-105-convert-image-dtype-one-branch-cast-first": (set(), """
import sys
import tensorflow as tf
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
img = tf.image.resize(tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3), (224, 224))
if sys.argv[1:]:
    img = tf.cast(img, tf.uint8)
img = tf.image.convert_image_dtype(img, tf.float32)
model.predict(img[None])
"""),
    "clean-105-float-before-arithmetic": (set(), PIL_LOAD + """
from keras.applications.mobilenet_v2 import MobileNetV2
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)), dtype=np.float32)
x = (img - 128) / 128.0
inverted = 255 - np.asarray(Image.open("b.jpg"))
MobileNetV2().predict(x[None])
"""),
    "clean-105-float-mean-and-img-to-array": (set(), KERAS_LOAD + """
from keras.applications.vgg16 import VGG16
mean = np.array([123.68, 116.78, 103.94])
a = np.asarray(load_img("a.jpg", target_size=(224, 224))) - mean
b = img_to_array(load_img("b.jpg", target_size=(224, 224))) - 100
"""),
    "clean-105-convert-image-dtype-of-uint8-into-hub": (set(), """
import tensorflow as tf
import tensorflow_hub as hub
model = tf.keras.Sequential([hub.KerasLayer("https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/5")])
img = tf.image.convert_image_dtype(tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3), tf.float32)
model.predict(tf.image.resize(img, (224, 224))[None])
"""),
    "clean-105-convert-image-dtype-weights-none": (set(), """
import tensorflow as tf
model = tf.keras.applications.ResNet50(weights=None, classes=5)
img = tf.image.convert_image_dtype(tf.io.decode_jpeg(tf.io.read_file("a.jpg"), channels=3), tf.float32)
model.predict(tf.image.resize(img, (224, 224))[None])
"""),
    "105-wrap-reported-whatever-the-model": ({"CNN105"}, PIL_LOAD + """
from keras.applications import ResNet50
model = ResNet50(weights=None, classes=5)
img = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
model.fit(((img - 128) / 128.0)[None], np.zeros((1, 5)))
"""),
    # -- CNN204 channel-count-mismatch ----------------------------------------------------------
    "204-import-alias-pil": ({"CNN204"}, """
import numpy as np
import PIL.Image as pil
from keras.applications import EfficientNetB0
img = pil.open("logo.png").resize((224, 224))
EfficientNetB0().predict(np.array(img, dtype="float32")[None])
"""),
    "204-variable-holding-load-img": ({"CNN204"}, """
import numpy as np
import tensorflow as tf
read = tf.keras.utils.load_img
to_array = tf.keras.utils.img_to_array
x = to_array(read("a.jpg", color_mode="grayscale", target_size=(224, 224)))
tf.keras.applications.EfficientNetB2(weights="imagenet", input_shape=(224, 224, 3),
                                     include_top=False).predict(np.expand_dims(x, 0))
"""),
    "204-grayscale-dataset-through-helper": ({"CNN204"}, """
import tensorflow as tf
def make(folder):
    return tf.keras.utils.image_dataset_from_directory(folder, image_size=(224, 224), color_mode="grayscale")
base = tf.keras.applications.MobileNetV3Small(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
base.predict(make("data"))
"""),
    "204-decode-png-without-channels-through-helper": ({"CNN204"}, """
import tensorflow as tf
def read(path):
    img = tf.io.decode_png(tf.io.read_file(path))
    return tf.image.resize(img, (224, 224))
model = tf.keras.applications.ConvNeXtTiny(weights="imagenet")
model.predict(tf.stack([read("a.png"), read("b.png")]))
"""),
    "204-discarded-convert-in-helper": ({"CNN204"}, PIL_LOAD + """
from keras.applications.efficientnet import EfficientNetB0
def load(path):
    img = Image.open(path)
    img.convert("RGB")
    return np.asarray(img.resize((224, 224)), dtype="float32")
EfficientNetB0().predict(load("a.png")[None])
"""),
    "204-both-branches-grayscale": ({"CNN204"}, KERAS_LOAD + """
import sys
from keras.applications.vgg16 import VGG16, preprocess_input
if sys.argv[1:]:
    img = load_img(sys.argv[1], color_mode="grayscale", target_size=(224, 224))
else:
    img = load_img("gray.png", color_mode="grayscale", target_size=(224, 224))
VGG16().predict(preprocess_input(img_to_array(img)[None]))
"""),
    "clean-204-one-branch-converts": (set(), PIL_LOAD + """
import sys
from keras.applications.efficientnet import EfficientNetB0
img = Image.open(sys.argv[1])
if img.mode != "RGB":
    img = img.convert("RGB")
EfficientNetB0().predict(np.asarray(img.resize((224, 224)), dtype="float32")[None])
"""),
    "clean-204-converted-and-decoded-with-channels": (set(), """
import numpy as np
import tensorflow as tf
from PIL import Image
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
a = np.asarray(Image.open("a.png").convert("RGB").resize((224, 224)), dtype="float32")
b = tf.image.resize(tf.io.decode_png(tf.io.read_file("b.png"), channels=3), (224, 224))
c = tf.image.resize(tf.io.decode_png(tf.io.read_file("c.png"))[:, :, :3], (224, 224))
model.predict(a[None])
model.predict(b[None])
model.predict(c[None])
"""),
    "clean-204-ellipsis-slice-drops-alpha": fixed(set(), """
import tensorflow as tf
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
img = tf.image.resize(tf.io.decode_png(tf.io.read_file("logo.png"))[..., :3], (224, 224))
model.predict(img[None])
""", "`...` is not evaluated (the interpreter has no eval_Ellipsis, so it is UNKNOWN, never "
     "Const(Ellipsis)): subscript_image does not see `[..., :3]` as keeping 3 channels"),
    "clean-204-grayscale-scratch-model": (set(), """
import tensorflow as tf
ds = tf.keras.utils.image_dataset_from_directory("xrays", image_size=(224, 224), color_mode="grayscale")
model = tf.keras.applications.DenseNet121(weights=None, input_shape=(224, 224, 1), classes=2)
model.fit(ds)
"""),
    "204-discarded-convert-reported-whatever-the-model": ({"CNN204"}, PIL_LOAD + """
from tensorflow.keras.models import load_model
model = load_model("mine.keras")
img = Image.open("a.png").resize((128, 128))
img.convert("RGB")
model.predict(np.asarray(img)[None] / 255.0)
"""),
    "204-opencv-grayscale": fixed({"CNN204"}, """
import cv2
from keras.applications.vgg16 import VGG16, preprocess_input
img = cv2.resize(cv2.imread("x.jpg", cv2.IMREAD_GRAYSCALE), (224, 224))
VGG16().predict(preprocess_input(img[None].astype("float32")))
""", "a grayscale cv2.imread keeps order='BGR', so CNN301 is reported too; one channel has no "
           "channel order"),
    # -- CNN301 bgr-input -----------------------------------------------------------------------
    "301-import-alias-cv2": ({"CNN301"}, """
import cv2 as cv
import numpy as np
from keras.applications.efficientnet import EfficientNetB3
frame = cv.resize(cv.imread("a.jpg"), (300, 300))
EfficientNetB3().predict(np.expand_dims(frame, 0))
"""),
    "301-variable-holding-imread": ({"CNN301"}, """
import cv2
from keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
read = cv2.imread
img = cv2.resize(read("a.jpg"), (224, 224)).astype("float32")
MobileNetV2().predict(preprocess_input(img[None]))
"""),
    "301-video-frames-through-helper": ({"CNN301"}, """
import cv2
import numpy as np
import tensorflow as tf
def frames(path):
    cap = cv2.VideoCapture(path)
    ok, frame = cap.read()
    return cv2.resize(frame, (224, 224))
model = tf.keras.applications.ConvNeXtSmall(weights="imagenet")
model.predict(np.expand_dims(frames("clip.mp4"), 0))
"""),
    "301-both-branches-bgr": ({"CNN301"}, """
import sys
import cv2
import numpy as np
from keras.applications.densenet import DenseNet121, preprocess_input
if sys.argv[1:]:
    img = cv2.imread(sys.argv[1])
else:
    img = cv2.imdecode(np.frombuffer(sys.stdin.buffer.read(), np.uint8), cv2.IMREAD_COLOR)
img = cv2.resize(img, (224, 224)).astype("float32")
DenseNet121().predict(preprocess_input(img[None]))
"""),
    "clean-301-one-branch-converts": (set(), """
import sys
import cv2
import numpy as np
from keras.applications.efficientnet import EfficientNetB0
img = cv2.resize(cv2.imread("a.jpg"), (224, 224))
if sys.argv[1:]:
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
EfficientNetB0().predict(np.expand_dims(img, 0))
"""),
    "clean-301-converted": (set(), """
import cv2
import numpy as np
from keras.applications.vgg19 import VGG19, preprocess_input
model = VGG19()
a = cv2.cvtColor(cv2.resize(cv2.imread("a.jpg"), (224, 224)), cv2.COLOR_BGR2RGB)
b = cv2.resize(cv2.imread("b.jpg"), (224, 224))[:, :, ::-1]
model.predict(preprocess_input(np.expand_dims(a.astype("float32"), 0)))
model.predict(preprocess_input(np.expand_dims(b.astype("float32"), 0)))
"""),
    "clean-301-ellipsis-flip-as-the-message-advises": fixed(set(), """
import cv2
import numpy as np
from keras.applications.efficientnet import EfficientNetB0
img = cv2.resize(cv2.imread("a.jpg"), (224, 224))[..., ::-1]
EfficientNetB0().predict(np.expand_dims(img, 0))
""", "`...` evaluates to UNKNOWN (no eval_Ellipsis), so `img[..., ::-1]`, the fix CNN301's own message "
     "suggests, does not flip the order and CNN301 is still reported"),
    "clean-301-scratch-model-without-preprocess-input": (set(), """
import cv2
import numpy as np
from keras.applications import ResNet50
model = ResNet50(weights=None, classes=4)
img = cv2.resize(cv2.imread("a.jpg"), (224, 224)).astype("float32") / 255.0
model.fit(np.expand_dims(img, 0), np.zeros((1, 4)))
"""),
    "clean-301-scratch-model-with-tf-mode-preprocess-input": fixed(set(), """
import cv2
import numpy as np
from keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
model = MobileNetV2(weights=None, classes=4)
img = cv2.resize(cv2.imread("a.jpg"), (224, 224)).astype("float32")
model.fit(preprocess_input(np.expand_dims(img, 0)), np.zeros((1, 4)))
""", "the bgr-preprocess event fires at any preprocess_input, even with weights=None: a model "
           "trained from scratch on BGR is consistent, and tf mode (x / 127.5 - 1) does not depend on "
           "the channel order"),
    # -- CNN401 repeated-input ------------------------------------------------------------------
    "401-import-alias-and-variable-holding-tile": ({"CNN401"}, KERAS_LOAD + """
import numpy as npx
from keras.applications.vgg16 import VGG16, preprocess_input
tile = npx.tile
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
VGG16().predict(preprocess_input(tile(x[None], (8, 1, 1, 1))))
"""),
    "401-stale-load-through-alias": ({"CNN401"}, """
import os
import numpy as np
import keras.utils as ku
from keras.applications.resnet50 import ResNet50, preprocess_input
load = ku.load_img
model = ResNet50()
for name in os.listdir("photos"):
    x = ku.img_to_array(load("photos/first.jpg", target_size=(224, 224)))
    print(name, model.predict(preprocess_input(x[None])))
"""),
    "401-repeat-in-helper": ({"CNN401"}, KERAS_LOAD + """
from keras.applications.resnet50 import ResNet50, preprocess_input
def as_batch(img, n=16):
    return np.repeat(np.expand_dims(img, 0), n, axis=0)
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
ResNet50().predict(as_batch(x))
"""),
    "401-stale-load-in-helper-called-from-loop": ({"CNN401"}, KERAS_LOAD + """
import glob
from keras.applications.resnet50 import ResNet50, preprocess_input
def load(path):
    return np.expand_dims(img_to_array(load_img(path, target_size=(224, 224))), 0)
model = ResNet50()
for f in glob.glob("*.jpg"):
    print(f, model.predict(preprocess_input(load("cat.jpg"))))
"""),
    "401-both-branches-repeated": ({"CNN401"}, KERAS_LOAD + """
import sys
import tensorflow as tf
from keras.applications.resnet50 import ResNet50, preprocess_input
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
if sys.argv[1:]:
    batch = np.repeat(x[None], 4, axis=0)
else:
    batch = tf.tile(tf.expand_dims(x, 0), (4, 1, 1, 1))
ResNet50().predict(batch)
"""),
    "clean-401-one-branch-real-batch": (set(), KERAS_LOAD + """
import glob
import sys
from keras.applications.resnet50 import ResNet50, preprocess_input
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
batch = np.repeat(x[None], 4, axis=0)
if sys.argv[1:]:
    batch = preprocess_input(np.stack([img_to_array(load_img(p, target_size=(224, 224)))
                                       for p in glob.glob("*.jpg")]))
ResNet50().predict(batch)
"""),
    "401-dataset-from-tensors-repeat": ({"CNN401"}, KERAS_LOAD + """
import tensorflow as tf
from keras.applications.resnet50 import ResNet50, preprocess_input
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
ResNet50().predict(tf.data.Dataset.from_tensors(x).repeat(8).batch(8))
"""),
    "clean-401-loop-uses-its-variable": (set(), KERAS_LOAD + """
import glob
from pathlib import Path
from keras.applications.resnet50 import ResNet50, preprocess_input
model = ResNet50()
for f in glob.glob("*.jpg"):
    print(f, model.predict(preprocess_input(img_to_array(load_img(f, target_size=(224, 224)))[None])))
for p in Path("photos").glob("*.png"):
    x = img_to_array(load_img(str(p), target_size=(224, 224)))
    print(p, model.predict(preprocess_input(x[None])))
"""),
    "clean-401-load-once-outside-loop-over-models": (set(), KERAS_LOAD + """
from keras.applications import resnet50, vgg16
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]
for build, prep in [(resnet50.ResNet50, resnet50.preprocess_input), (vgg16.VGG16, vgg16.preprocess_input)]:
    print(build().predict(prep(x.copy())))
"""),
    "clean-401-helper-called-with-the-loop-variable": fixed(set(), KERAS_LOAD + """
import glob
from keras.applications.resnet50 import ResNet50, preprocess_input
def load(path):
    return np.expand_dims(img_to_array(load_img(path, target_size=(224, 224))), 0)
model = ResNet50()
for f in glob.glob("*.jpg"):
    print(f, model.predict(preprocess_input(load(f))))
""", "stale_load compares the loader call's names with the caller's loop variables: inside a "
           "helper the call uses the parameter `path`, never the loop's `f`, so every helper called "
           "with the loop variable counts as stale"),
    "401-list-times-n-stacked": fixed({"CNN401"}, KERAS_LOAD + """
from keras.applications.resnet50 import ResNet50, preprocess_input
x = img_to_array(load_img("a.jpg", target_size=(224, 224)))
ResNet50().predict(preprocess_input(np.array([x] * 8)))
""", "[x] * n gives ListVal(repeated=True), but np.array/np.stack of it (effects.images.stacked) "
           "drop `repeated`, so the case the message names is never reported"),
    "clean-401-whole-batch-from-tensors-repeated": fixed(set(), KERAS_LOAD + """
import glob
import tensorflow as tf
from keras.applications.resnet50 import ResNet50, preprocess_input
images = [img_to_array(load_img(p, target_size=(224, 224))) for p in glob.glob("*.jpg")]
batch = preprocess_input(np.stack(images))
ResNet50().predict(tf.data.Dataset.from_tensors(batch).repeat(3))
""", "Dataset.repeat marks any single-element dataset of an Image as repeated, also when the "
           "element is already a batch of different images (from_tensors(batch).repeat())"),
    "clean-401-not-for-a-model-trained-from-scratch": (set(), KERAS_LOAD + """
from keras.applications import ResNet50
model = ResNet50(weights=None, classes=3)
x = img_to_array(load_img("a.jpg", target_size=(224, 224))) / 255.0
model.predict(np.tile(x[None], (8, 1, 1, 1)))
"""),
    "clean-401-scratch-model-real-batch": (set(), KERAS_LOAD + """
import glob
from keras.applications import ResNet50
model = ResNet50(weights=None, classes=3)
x = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in glob.glob("*.jpg")]) / 255.0
model.fit(x, np.zeros((len(x), 3)))
"""),
    # -- CNN402 unbatched-dataset ---------------------------------------------------------------
    "402-import-alias-and-class-in-a-variable": ({"CNN402"}, """
import numpy as np
import tensorflow as tensorflow_
Dataset = tensorflow_.data.Dataset
model = tensorflow_.keras.applications.EfficientNetB0(weights="imagenet")
model.predict(Dataset.from_tensor_slices(np.load("x.npy")))
"""),
    "402-variable-holding-from-tensor-slices": ({"CNN402"}, """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
slices = tf.data.Dataset.from_tensor_slices
model = tf.keras.applications.ResNet50(weights="imagenet")
ds = slices((images, np.zeros(len(paths)))).map(
    lambda x, y: (tf.keras.applications.resnet50.preprocess_input(x), y))
model.evaluate(ds)
"""),
    "402-helper-builds-the-dataset": ({"CNN402"}, """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
def make_dataset(images, labels):
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    return ds.shuffle(1000).prefetch(tf.data.AUTOTUNE)
base = tf.keras.applications.EfficientNetV2B0(weights="imagenet", include_top=False, pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(2, activation="softmax")])
model.fit(make_dataset(images, np.zeros(len(paths))), epochs=3)
"""),
    "402-unknown-arrays-with-labels": fixed({"CNN402"}, """
import numpy as np
import tensorflow as tf
x_test, y_test = np.load("x.npy"), np.load("y.npy")
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
model.evaluate(tf.data.Dataset.from_tensor_slices((x_test, y_test)))
""", "from_tensor_slices takes an array of unknown origin as images without a batch axis, but not "
     "inside a tuple: unbatched(TupleVal((UNKNOWN, UNKNOWN))) keeps UNKNOWN, so the most common form, "
     "(x, y) pairs, is never reported"),
    "402-unknown-array-scaled": bug({"CNN402"}, """
import numpy as np
import tensorflow as tf
model = tf.keras.applications.ResNet50(weights=None, classes=10)
model.predict(tf.data.Dataset.from_tensor_slices(np.load("x.npy") / 255.0))
""", "an unknown array divided by 255 becomes Image(batched=None), which from_tensor_slices leaves "
     "unknown, while the same array undivided is taken as images without a batch axis"),
    "402-single-elements-by-iteration": ({"CNN402"}, """
import numpy as np
import tensorflow as tf
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
ds = tf.data.Dataset.from_tensor_slices(np.load("x.npy"))
for x in ds:
    print(model.predict(x))
"""),
    "402-file-paths-mapped-to-images": fixed({"CNN402"}, """
import glob
import tensorflow as tf
def load(path):
    img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    return tf.image.resize(img, (224, 224))
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
model.predict(tf.data.Dataset.from_tensor_slices(glob.glob("test/*.jpg")).map(load))
""", "from_tensor_slices of file paths (a list, glob.glob) gives Dataset(UNKNOWN); the single images "
     "that .map(load) makes of them are batched=False but not from_slices, and CNN203 skips datasets, "
     "so the tf.data tutorial pipeline without .batch() is reported by no rule"),
    "402-both-branches-unbatched": ({"CNN402"}, """
import sys
import numpy as np
import tensorflow as tf
model = tf.keras.applications.ConvNeXtTiny(weights="imagenet")
if sys.argv[1:]:
    ds = tf.data.Dataset.from_tensor_slices(np.load(sys.argv[1]))
else:
    ds = tf.data.Dataset.from_tensor_slices(np.load("x.npy")).shuffle(100)
model.predict(ds)
"""),
    "clean-402-one-branch-batches": (set(), """
import sys
import numpy as np
import tensorflow as tf
model = tf.keras.applications.ConvNeXtTiny(weights="imagenet")
ds = tf.data.Dataset.from_tensor_slices(np.load("x.npy"))
if sys.argv[1:]:
    ds = ds.batch(int(sys.argv[1]))
model.predict(ds)
"""),
    "clean-402-batched": (set(), """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
slices = tf.data.Dataset.from_tensor_slices((images, np.zeros(len(paths))))
model.fit(slices.shuffle(100).batch(32).prefetch(2))
model.evaluate(slices.padded_batch(8))
model.predict(next(iter(slices.batch(4)))[0])
"""),
    "clean-402-helper-batches": (set(), {
        "data.py": """
import tensorflow as tf
def make_dataset(images, labels, batch_size=32):
    ds = tf.data.Dataset.from_tensor_slices((images, labels))
    return ds.shuffle(1000).batch(batch_size)
""",
        "train.py": """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
from data import make_dataset
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
model.fit(make_dataset(images, np.zeros(len(paths))))
""",
    }),
    "clean-402-not-for-a-model-trained-from-scratch": (set(), """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
model = tf.keras.applications.ResNet50(weights=None, classes=10)
model.fit(tf.data.Dataset.from_tensor_slices((images / 255.0, np.zeros((len(paths), 10)))))
"""),
    "clean-402-scratch-model-batched": (set(), """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
model = tf.keras.applications.ResNet50(weights=None, classes=10)
model.fit(tf.data.Dataset.from_tensor_slices((images / 255.0, np.zeros((len(paths), 10)))).batch(64))
"""),
}

# Helpers in another module of the project: the finding is where the model meets the data (or, for
# an event, where the faulty expression is).
PROJECTS = {
    "105-helper-module-returns-uint8-then-main-wraps": ({"CNN105"}, {
        "imaging.py": """
import numpy as np
from PIL import Image
def load(path):
    return np.asarray(Image.open(path).convert("RGB").resize((224, 224)))
""",
        "main.py": """
from keras.applications.mobilenet_v2 import MobileNetV2
from imaging import load
x = (load("a.jpg") - 127) / 127.0
MobileNetV2().predict(x[None])
""",
    }),
    "105-helper-module-convert-image-dtype": ({"CNN105"}, {
        "utils.py": """
import tensorflow as tf
def decode(path):
    img = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    return tf.image.convert_image_dtype(img, tf.float32)
""",
        "main.py": """
import tensorflow as tf
import utils
model = tf.keras.applications.Xception(weights="imagenet")
model.predict(tf.image.resize(utils.decode("a.jpg"), (299, 299))[None])
""",
    }),
    "204-helper-module-never-converts": ({"CNN204"}, {
        "utils.py": """
import numpy as np
from PIL import Image
def load(path, size=(224, 224)):
    return np.asarray(Image.open(path).resize(size), dtype=np.float32)
""",
        "main.py": """
from keras.applications.resnet50 import ResNet50, preprocess_input
from utils import load as read_image
ResNet50().predict(preprocess_input(read_image("scan.png")[None]))
""",
    }),
    "301-helper-module-reads-with-opencv": ({"CNN301"}, {
        "utils.py": """
import cv2
def read(path):
    return cv2.resize(cv2.imread(path), (224, 224)).astype("float32")
""",
        "main.py": """
import numpy as np
from keras.applications.resnet50 import ResNet50, preprocess_input
from utils import read
ResNet50().predict(preprocess_input(np.expand_dims(read("a.jpg"), 0)))
""",
    }),
    "clean-301-helper-module-converts": (set(), {
        "utils.py": """
import cv2
def read(path):
    return cv2.cvtColor(cv2.resize(cv2.imread(path), (224, 224)), cv2.COLOR_BGR2RGB).astype("float32")
""",
        "main.py": """
import numpy as np
from keras.applications.resnet50 import ResNet50, preprocess_input
from utils import read
ResNet50().predict(preprocess_input(np.expand_dims(read("a.jpg"), 0)))
""",
    }),
    "401-helper-module-tiles": ({"CNN401"}, {
        "utils.py": """
import numpy as np
def batch_of(img, n):
    return np.tile(img[None], (n, 1, 1, 1))
""",
        "main.py": """
from keras.applications.vgg16 import VGG16, preprocess_input
from keras.utils import img_to_array, load_img
from utils import batch_of
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224))))
VGG16().predict(batch_of(x, 32))
""",
    }),
    "402-helper-module-builds-the-dataset": ({"CNN402"}, {
        "data.py": """
import tensorflow as tf
def make_dataset(images, labels):
    return tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(1000)
""",
        "train.py": """
import glob
import numpy as np
import tensorflow as tf
from keras.utils import img_to_array, load_img
paths = sorted(glob.glob("test/*.jpg"))
images = np.stack([img_to_array(load_img(p, target_size=(224, 224))) for p in paths])
from data import make_dataset
model = tf.keras.applications.EfficientNetB0(weights="imagenet")
model.fit(make_dataset(images, np.zeros(len(paths))))
""",
    }),
}


def _params(table):
    return [pytest.param(*case.values, marks=case.marks, id=name) if hasattr(case, "marks")
            else pytest.param(*case, id=name) for name, case in table.items()]


@pytest.mark.parametrize("expected, code", _params(CASES))
def test_more_a_case(expected, code, codes):
    assert codes(code) == expected


@pytest.mark.parametrize("expected, project", _params(PROJECTS))
def test_more_a_project(expected, project, codes):
    assert codes(project) == expected


def test_more_a_every_rule_is_covered():
    """Each rule here has an alias, a helper, a branch, a clean and a weights=None case."""
    for code in ("105", "204", "301", "401", "402"):
        names = [n for n in list(CASES) + list(PROJECTS) if code in n]
        assert sum("alias" in n or "variable-holding" in n for n in names) >= 1, code
        assert sum("helper" in n for n in names) >= 1, code
        assert sum("branch" in n for n in names) >= 2, code
        assert sum(n.startswith("clean") for n in names) >= 1, code
        assert sum("scratch" in n or "weights-none" in n or "whatever-the-model" in n for n in names) >= 1, code
