"""Dataflow cases for CNN403, CNN404, CNN501, CNN502 and CNN503.

Each case is real code; the expected codes are exactly what cnnlint must report. For every
rule there are cases through an alias, through a helper (or another module), through a
branch or a loop, and clean counterparts that must stay silent. What holds for models:

- CNN403 and CNN501 apply to any model: trained from scratch, or on a ``weights=None`` base.
- CNN404 applies to any model too (a loaded one here): only the generator's order matters.
- CNN502 and CNN503 need a pre-trained base with known facts: a model loaded from a file or
  built with ``weights=None`` is silent; CNN503 also skips bases without BatchNormalization (VGG).

Cases marked xfail(strict=True) are reasonable code the analysis gets wrong today; each
reason names the analysis gap.
"""
from __future__ import annotations

import pytest

LOAD = """
import numpy as np
from tensorflow import keras
from tensorflow.keras.utils import img_to_array, load_img
"""

SCRATCH = """
def build():
    return keras.Sequential([
        keras.Input((128, 128, 3)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3, activation="softmax"),
    ])
"""

SCALED_DS = 'keras.utils.image_dataset_from_directory("d", image_size=(128, 128)).map(lambda x, y: (x / 255., y))'

TRAIN_MODULE = LOAD + SCRATCH + """
from tensorflow.keras.preprocessing.image import ImageDataGenerator
model = build()
gen = ImageDataGenerator(rescale=1.0 / 255)
model.fit(gen.flow_from_directory("data/train", target_size=(128, 128)), epochs=10)
model.save("m.h5")
"""

EVAL = """
import numpy as np
from tensorflow import keras
from tensorflow.keras.preprocessing.image import ImageDataGenerator
model = keras.models.load_model("clf.keras")
"""

HEAD = """
from tensorflow import keras
train = keras.utils.image_dataset_from_directory("data/train", image_size=(160, 160))
"""

FROZEN = HEAD + """
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
inputs = keras.Input((160, 160, 3))
"""

FINE_TUNE = """
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(train, epochs=10)
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
model.fit(train, epochs=10)
"""

TOP = """
import numpy as np
from tensorflow.keras.utils import img_to_array, load_img
"""


def fixed(expected, code, reason=""):
    """A case that was a known analysis bug (``reason`` says which) and is fixed: an ordinary test now."""
    return expected, code


def xfail(expected, code, reason):
    """A case the analysis gets wrong today: it must keep failing until the gap is closed."""
    return pytest.param(expected, code, marks=pytest.mark.xfail(strict=True, reason=reason))


CASES = {
    # -- CNN403 train-infer-mismatch (any model) ------------------------------------------------
    "403-variable-holding-the-model": ({"CNN403"}, LOAD + f"""
model = keras.Sequential([keras.Input((128, 128, 3)), keras.layers.Flatten(), keras.layers.Dense(3)])
model.fit({SCALED_DS})
classifier = model
classifier.predict(img_to_array(load_img("a.jpg", target_size=(128, 128)))[None])
"""),
    "403-bound-predict-method-in-a-variable": ({"CNN403"}, LOAD + SCRATCH + f"""
model = build()
model.fit({SCALED_DS})
predict = model.predict
predict(img_to_array(load_img("a.jpg", target_size=(128, 128)))[None])
"""),
    "403-load-model-import-alias-other-module": ({"CNN403"}, {
        "train.py": LOAD + """
model = keras.Sequential([keras.Input((128, 128, 3)), keras.layers.Flatten(), keras.layers.Dense(3)])
model.fit(keras.utils.image_dataset_from_directory("d", image_size=(128, 128)))
model.save("m.keras")
""",
        "predict.py": LOAD + """
from tensorflow.keras.models import load_model as restore
net = restore("m.keras")
print(net.predict(img_to_array(load_img("a.jpg", target_size=(128, 128)))[None] / 255.0))
""",
    }),
    "403-helper-builds-the-model": ({"CNN403"}, LOAD + SCRATCH + """
model = build()
model.fit(keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255.).flow_from_directory("d", target_size=(128, 128)))
model.predict(img_to_array(load_img("a.jpg", target_size=(128, 128)))[None])
"""),
    "403-train-module-saves-predict-module-loads": ({"CNN403"}, {
        "train.py": TRAIN_MODULE,
        "predict.py": LOAD + """
from tensorflow.keras.models import load_model
def read(path):
    return np.expand_dims(img_to_array(load_img(path, target_size=(128, 128))), 0)
model = load_model("m.h5")
print(model.predict(read("cat.jpg")))
""",
    }),
    "403-predict-in-a-function-defined-before-fit": ({"CNN403"}, LOAD + SCRATCH + f"""
model = build()
def serve(path):
    return model.predict(img_to_array(load_img(path, target_size=(128, 128)))[None])
model.fit({SCALED_DS})
serve("a.jpg")
"""),
    "403-both-branches-raw": ({"CNN403"}, LOAD + SCRATCH + f"""
import sys
model = build()
model.fit({SCALED_DS})
if len(sys.argv) > 1:
    x = img_to_array(load_img(sys.argv[1], target_size=(128, 128)))
else:
    x = img_to_array(load_img("default.jpg", target_size=(128, 128)))
model(x[None])
"""),
    "403-loop-over-files-other-scale": ({"CNN403"}, LOAD + SCRATCH + f"""
import glob
model = build()
model.fit({SCALED_DS})
for path in glob.glob("test/*.jpg"):
    x = img_to_array(load_img(path, target_size=(128, 128))) / 127.5 - 1
    print(path, model.predict(x[None]))
"""),
    "403-arrays-built-in-a-comprehension": ({"CNN403"}, LOAD + SCRATCH + """
import glob
model = build()
X = np.array([img_to_array(load_img(p, target_size=(128, 128))) for p in glob.glob("train/*.jpg")]) / 255.0
model.fit(X, np.zeros(len(X)), epochs=3)
model.predict(np.array([img_to_array(load_img("a.jpg", target_size=(128, 128)))]))
"""),
    # Any model: a weights=None application has no expectations, but fit and predict still disagree.
    "403-weights-none-still-counts": ({"CNN403"}, LOAD + """
base = keras.applications.ResNet50(weights=None, classes=3)
base.fit(keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(lambda x, y: (x / 255., y)))
base.predict(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
"""),
    # A pre-trained base: the /255 input is also wrong for ResNet50 itself (CNN104).
    "403-pretrained-base-reports-both": ({"CNN104", "CNN403"}, LOAD + """
from tensorflow.keras.applications.resnet50 import ResNet50, preprocess_input
base = ResNet50(weights="imagenet", include_top=False, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(3, activation="softmax")])
model.fit(keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(lambda x, y: (preprocess_input(x), y)))
model.predict(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None] / 255.0)
"""),
    "403-model-from-an-unknown-constructor": xfail({"CNN403"}, LOAD + """
from mylib import make_model
model = make_model()
model.fit(keras.utils.image_dataset_from_directory("d", image_size=(224, 224)).map(lambda x, y: (x / 255., y)))
model.predict(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
""", "the rule says any model counts, but a value from an unknown function is not a Model: "
     "its fit and predict are not recorded as sinks"),
    "clean-403-loaded-from-another-path": (set(), {
        "train.py": TRAIN_MODULE,
        "predict.py": LOAD + """
from tensorflow.keras.models import load_model
model = load_model("other.h5")
print(model.predict(np.expand_dims(img_to_array(load_img("cat.jpg", target_size=(128, 128))), 0)))
""",
    }),
    "clean-403-train-and-predict-modules-agree": (set(), {
        "train.py": TRAIN_MODULE,
        "predict.py": LOAD + """
from tensorflow.keras.models import load_model
model = load_model("m.h5")
print(model.predict(np.expand_dims(img_to_array(load_img("cat.jpg", target_size=(128, 128))), 0) / 255.0))
""",
    }),
    "clean-403-scaled-on-one-branch-only": (set(), LOAD + SCRATCH + f"""
import sys
model = build()
model.fit({SCALED_DS})
x = img_to_array(load_img("a.jpg", target_size=(128, 128)))
if sys.argv[1:]:
    x = x / 255.
model.predict(x[None])
"""),
    "clean-403-same-helper-for-both": (set(), LOAD + SCRATCH + """
def prep(images):
    return images / 255.0
model = build()
model.fit(keras.utils.image_dataset_from_directory("d", image_size=(128, 128)).map(lambda x, y: (prep(x), y)))
model.predict(prep(img_to_array(load_img("a.jpg", target_size=(128, 128)))[None]))
"""),

    # -- CNN404 shuffled-eval-order (any model: only the generator's order matters) ----------------
    "404-metric-import-alias-and-label-variable": ({"CNN404"}, EVAL + """
from sklearn.metrics import confusion_matrix as cm
gen = ImageDataGenerator(rescale=1 / 255.)
test = gen.flow_from_directory("test", target_size=(224, 224))
evaluation = test
probs = model.predict(evaluation)
truth = test.classes
print(cm(truth, probs.argmax(axis=1)))
"""),
    "404-bound-predict-method-in-a-variable": ({"CNN404"}, EVAL + """
from sklearn.metrics import accuracy_score
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224))
run = model.predict
print(accuracy_score(test.classes, np.argmax(run(test), axis=-1)))
"""),
    "404-helper-scores-the-generator": ({"CNN404"}, EVAL + """
from sklearn.metrics import accuracy_score
def score(net, generator):
    predicted = np.argmax(net.predict(generator), axis=1)
    return accuracy_score(generator.classes, predicted)
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224))
print(score(model, test))
"""),
    "404-helper-makes-the-generator": ({"CNN404"}, EVAL + """
from sklearn.metrics import classification_report
def make_test_gen(folder):
    return ImageDataGenerator(rescale=1 / 255.).flow_from_directory(folder, target_size=(224, 224), batch_size=16)
test_gen = make_test_gen("data/test")
y_pred = model.predict(test_gen).argmax(axis=1)
print(classification_report(test_gen.classes, y_pred))
"""),
    "404-dataframe-comparison": ({"CNN404"}, EVAL + """
import pandas as pd
df = pd.read_csv("test.csv")
test = ImageDataGenerator(rescale=1 / 255.).flow_from_dataframe(df, x_col="path", y_col="label", target_size=(224, 224))
pred = np.argmax(model.predict(test), axis=1)
print("accuracy", np.mean(pred == test.classes))
"""),
    "404-zip-with-filenames": ({"CNN404"}, EVAL + """
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224), class_mode=None)
pred = model.predict(test).argmax(1)
for name, label in zip(test.filenames, pred):
    print(name, label)
"""),
    "404-loop-over-splits": ({"CNN404"}, EVAL + """
from sklearn.metrics import f1_score
for split in ["val", "test"]:
    gen = ImageDataGenerator(rescale=1 / 255.).flow_from_directory(split, target_size=(224, 224))
    print(split, f1_score(gen.classes, model.predict(gen).argmax(1), average="macro"))
"""),
    "404-report-under-a-branch": ({"CNN404"}, EVAL + """
import argparse
from sklearn.metrics import classification_report
args = argparse.ArgumentParser().parse_args()
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224))
preds = model.predict(test)
if args.report:
    print(classification_report(test.classes, np.argmax(preds, axis=1)))
"""),
    "404-legacy-predict-generator": ({"CNN404"}, EVAL + """
from sklearn.metrics import confusion_matrix
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224))
test.reset()
print(confusion_matrix(test.classes, np.argmax(model.predict_generator(test, steps=len(test)), axis=1)))
"""),
    "404-pretrained-model": ({"CNN404"}, """
from sklearn.metrics import accuracy_score
from tensorflow.keras.applications.resnet50 import ResNet50, preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator
model = ResNet50(weights="imagenet")
test = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory("t", target_size=(224, 224))
print(accuracy_score(test.classes, model.predict(test).argmax(1)))
"""),
    "404-generator-made-on-both-branches": fixed({"CNN404"}, EVAL + """
import sys
from sklearn.metrics import confusion_matrix
if sys.argv[1:] == ["val"]:
    test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("data/val", target_size=(224, 224))
else:
    test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("data/test", target_size=(224, 224))
print(confusion_matrix(test.classes, model.predict(test).argmax(1)))
""", "facts.join of two Datasets drops `files`, so .classes of the joined iterator is unknown"),
    "404-datagen-chosen-on-a-branch": xfail({"CNN404"}, EVAL + """
import sys
from sklearn.metrics import confusion_matrix
if sys.argv[1:]:
    gen = ImageDataGenerator(rescale=1 / 255., horizontal_flip=True)
else:
    gen = ImageDataGenerator(rescale=1 / 255.)
test = gen.flow_from_directory("test", target_size=(224, 224))
print(confusion_matrix(test.classes, model.predict(test).argmax(1)))
""", "facts.join has no case for two DataGen values: the generator becomes unknown"),
    "clean-404-shuffle-false": (set(), EVAL + """
from sklearn.metrics import confusion_matrix
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224), shuffle=False)
print(confusion_matrix(test.classes, model.predict(test).argmax(1)))
"""),
    "clean-404-shuffle-false-through-a-constant": (set(), EVAL + """
from sklearn.metrics import confusion_matrix
SHUFFLE = False
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224), shuffle=SHUFFLE)
print(confusion_matrix(test.classes, model.predict(test).argmax(1)))
"""),
    "clean-404-shuffle-unknown": (set(), EVAL + """
import sys
from sklearn.metrics import confusion_matrix
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224), shuffle=sys.argv[1] == "y")
print(confusion_matrix(test.classes, model.predict(test).argmax(1)))
"""),
    "clean-404-labels-taken-from-each-batch": (set(), EVAL + """
from sklearn.metrics import accuracy_score
test = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("test", target_size=(224, 224))
y_true, y_pred = [], []
for i in range(len(test)):
    images, labels = test[i]
    y_true.extend(labels.argmax(1))
    y_pred.extend(model.predict(images).argmax(1))
print(accuracy_score(y_true, y_pred))
"""),
    "clean-404-training-classes-for-class-weights": (set(), EVAL + """
from sklearn.utils.class_weight import compute_class_weight
train = ImageDataGenerator(rescale=1 / 255.).flow_from_directory("train", target_size=(224, 224))
weights = compute_class_weight("balanced", classes=np.unique(train.classes), y=train.classes)
model.fit(train, class_weight=dict(enumerate(weights)))
"""),

    # -- CNN501 single-unit-softmax (any model) ---------------------------------------------------
    "501-dense-import-alias": ({"CNN501"}, """
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Conv2D, Dense as FC, Flatten
model = Sequential([Conv2D(8, 3, input_shape=(64, 64, 3)), Flatten(), FC(1, activation="softmax")])
"""),
    "501-activation-name-in-a-variable": ({"CNN501"}, """
from tensorflow import keras
ACT = "softmax"
head = keras.layers.Dense(1, activation=ACT)
"""),
    "501-tf-nn-softmax-function": ({"CNN501"}, """
import tensorflow as tf
out = tf.keras.layers.Dense(units=1, activation=tf.nn.softmax)
"""),
    "501-softmax-layer-held-in-a-variable": ({"CNN501"}, """
from tensorflow import keras
inputs = keras.Input((32, 32, 3))
x = keras.layers.Flatten()(inputs)
x = keras.layers.Dense(1)(x)
softmax = keras.layers.Activation("softmax")
model = keras.Model(inputs, softmax(x))
"""),
    "501-softmax-after-dropout": ({"CNN501"}, """
from tensorflow import keras
inputs = keras.Input((32, 32, 3))
x = keras.layers.Dense(1)(keras.layers.Flatten()(inputs))
x = keras.layers.Dropout(0.3)(x)
model = keras.Model(inputs, keras.layers.Softmax()(x))
"""),
    "501-sequential-add": ({"CNN501"}, """
from tensorflow import keras
model = keras.Sequential()
model.add(keras.layers.Flatten(input_shape=(32, 32, 3)))
model.add(keras.layers.Dense(1))
model.add(keras.layers.Activation("softmax"))
"""),
    "501-helper-head": ({"CNN501"}, """
from tensorflow import keras
def head(x, n_classes, activation="softmax"):
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.layers.Dense(n_classes, activation=activation)(x)
inputs = keras.Input((96, 96, 3))
model = keras.Model(inputs, head(keras.layers.Conv2D(16, 3)(inputs), 1))
"""),
    "501-helper-default-one-class": ({"CNN501"}, """
from tensorflow import keras
def build(num_classes=1):
    return keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(),
                             keras.layers.Dense(num_classes, activation="softmax")])
model = build()
"""),
    "501-loop-over-unit-counts": ({"CNN501"}, """
from tensorflow import keras
for units in [1, 4]:
    model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(units, activation="softmax")])
"""),
    "501-layers-list-built-in-a-loop": ({"CNN501"}, """
from tensorflow import keras
layers = [keras.Input((64, 64, 3)), keras.layers.Flatten()]
for width in [64, 32]:
    layers.append(keras.layers.Dense(width, activation="relu"))
layers.append(keras.layers.Dense(1, activation="softmax"))
model = keras.Sequential(layers)
"""),
    "501-conditional-expression-on-a-constant": ({"CNN501"}, """
from tensorflow import keras
BINARY = True
units = 1 if BINARY else 10
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(),
                          keras.layers.Dense(units, activation="softmax")])
"""),
    "501-both-branches": ({"CNN501"}, """
import sys
from tensorflow import keras
if sys.argv[1:]:
    model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="softmax")])
else:
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="softmax")])
"""),
    # Any model: a weights=None base or an unknown one changes nothing.
    "501-weights-none-base": ({"CNN501"}, """
from tensorflow import keras
base = keras.applications.ResNet50(weights=None, include_top=False, pooling="avg", input_shape=(64, 64, 3))
model = keras.Sequential([base, keras.layers.Dense(1, activation="softmax")])
"""),
    "501-unknown-base": ({"CNN501"}, """
from tensorflow import keras
from mylib import backbone
x = backbone()(keras.Input((64, 64, 3)))
out = keras.layers.Dense(1, activation="softmax")(x)
"""),
    "501-argmax-over-one-unit": ({"CNN501"}, """
import numpy as np
from tensorflow import keras
from tensorflow.keras.utils import img_to_array, load_img
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
x = img_to_array(load_img("a.jpg", target_size=(64, 64)))[None] / 255.0
print(np.argmax(model.predict(x), axis=1))
"""),
    "501-argmax-method-over-one-unit": ({"CNN501"}, """
from tensorflow import keras
from tensorflow.keras.utils import img_to_array, load_img
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
preds = model.predict(img_to_array(load_img("a.jpg", target_size=(64, 64)))[None] / 255.0)
label = preds.argmax(axis=-1)
"""),
    "501-loop-over-config-tuples": fixed({"CNN501"}, """
from tensorflow import keras
for units, act in [(1, "softmax"), (4, "softmax")]:
    keras.layers.Dense(units, activation=act)
""", "Interpreter.assign does not unpack a constant tuple: `units, act = 1, 'softmax'` leaves both unknown"),
    "clean-501-sigmoid": (set(), """
from tensorflow import keras
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
"""),
    "clean-501-two-unit-softmax": (set(), """
from tensorflow import keras
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
"""),
    "clean-501-helper-called-with-three": (set(), """
from tensorflow import keras
def build(num_classes):
    return keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(),
                             keras.layers.Dense(num_classes, activation="softmax")])
model = build(3)
"""),
    "clean-501-softmax-after-a-later-dense": (set(), """
from tensorflow import keras
inputs = keras.Input((32, 32, 3))
x = keras.layers.Dense(1)(keras.layers.Flatten()(inputs))
x = keras.layers.Dense(3)(x)
model = keras.Model(inputs, keras.layers.Activation("softmax")(x))
"""),
    "clean-501-argmax-over-three-units": (set(), """
import numpy as np
from tensorflow import keras
from tensorflow.keras.utils import img_to_array, load_img
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
x = img_to_array(load_img("a.jpg", target_size=(64, 64)))[None] / 255.0
print(np.argmax(model.predict(x), axis=1))
"""),
    "clean-501-threshold-one-unit": (set(), """
from tensorflow import keras
from tensorflow.keras.utils import img_to_array, load_img
model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
print(model.predict(img_to_array(load_img("a.jpg", target_size=(64, 64)))[None] / 255.0) > 0.5)
"""),

    # -- CNN502 decode-predictions-custom-head (needs a pre-trained base) -------------------------
    "502-decode-import-alias-and-model-variable": ({"CNN502"}, TOP + """
from tensorflow.keras.applications.vgg16 import VGG16, preprocess_input, decode_predictions as decode
extractor = VGG16(weights="imagenet", include_top=False)
net = extractor
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
print(decode(net.predict(x), top=3))
"""),
    "502-imagenet-utils-attribute-path": ({"CNN502"}, TOP + """
import tensorflow as tf
model = tf.keras.applications.MobileNetV2(include_top=False, weights="imagenet", pooling="avg")
x = tf.keras.applications.mobilenet_v2.preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
features = model.predict(x)
print(tf.keras.applications.imagenet_utils.decode_predictions(features))
"""),
    "502-helper-decodes": ({"CNN502"}, TOP + """
from keras.applications.resnet50 import ResNet50, decode_predictions, preprocess_input
def top5(model, path):
    x = preprocess_input(img_to_array(load_img(path, target_size=(224, 224)))[None])
    return decode_predictions(model.predict(x), top=5)[0]
print(top5(ResNet50(include_top=False, weights="imagenet", pooling="max"), "cat.jpg"))
"""),
    "502-custom-head-functional": ({"CNN502"}, """
import tensorflow as tf
from tensorflow.keras.applications.efficientnet import decode_predictions
base = tf.keras.applications.EfficientNetB0(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
inputs = tf.keras.Input((224, 224, 3))
x = tf.keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
model = tf.keras.Model(inputs, tf.keras.layers.Dense(5, activation="softmax")(x))
ds = tf.keras.utils.image_dataset_from_directory("flowers", image_size=(224, 224))
model.fit(ds, epochs=3)
print(decode_predictions(model.predict(ds)))
"""),
    "502-custom-head-of-1000-units": ({"CNN502"}, """
import tensorflow as tf
from tensorflow.keras.applications.efficientnet import decode_predictions
base = tf.keras.applications.EfficientNetB0(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(1000, activation="softmax")])
ds = tf.keras.utils.image_dataset_from_directory("places", image_size=(224, 224))
print(decode_predictions(model.predict(ds)))
"""),
    "502-loop-over-models": ({"CNN502"}, TOP + """
from tensorflow.keras.applications import VGG16, ResNet50
from tensorflow.keras.applications.imagenet_utils import decode_predictions, preprocess_input
x = preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None])
for build in [VGG16, ResNet50]:
    model = build(weights="imagenet", include_top=False)
    print(decode_predictions(model.predict(x)))
"""),
    "502-pooling-chosen-on-a-branch": ({"CNN502"}, TOP + """
import sys
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
pooling = "avg" if "--pool" in sys.argv else None
model = VGG19(include_top=False, pooling=pooling)
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
for _, name, score in decode_predictions(preds)[0]:
    print(name, score)
"""),
    "502-decode-under-a-branch": ({"CNN502"}, TOP + """
import argparse
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
args = argparse.ArgumentParser().parse_args()
model = VGG19(include_top=False, pooling="avg")
preds = model.predict(preprocess_input(img_to_array(load_img(args.image, target_size=(224, 224)))[None]))
if args.labels:
    print(decode_predictions(preds, top=args.top))
else:
    np.save("features.npy", preds)
"""),
    "502-include-top-false-positional": ({"CNN502"}, TOP + """
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
model = VGG19(False, "imagenet")
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
print(decode_predictions(preds))
"""),
    "502-model-built-on-both-branches": ({"CNN502"}, TOP + """
import sys
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
if "--pool" in sys.argv:
    model = VGG19(include_top=False, pooling="avg")
else:
    model = VGG19(include_top=False)
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
print(decode_predictions(preds))
"""),
    "clean-502-imagenet-top": (set(), TOP + """
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
model = VGG19()
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
print(decode_predictions(preds))
"""),
    "clean-502-functional-wrapper-keeps-the-top": (set(), """
import tensorflow as tf
from tensorflow.keras.applications.resnet50 import ResNet50, decode_predictions, preprocess_input
base = ResNet50(weights="imagenet")
inputs = tf.keras.Input((224, 224, 3))
model = tf.keras.Model(inputs, base(preprocess_input(inputs)))
ds = tf.keras.utils.image_dataset_from_directory("d", image_size=(224, 224), labels=None)
print(decode_predictions(model.predict(ds)))
"""),
    # Needs a pre-trained base: weights=None with the default 1000-class top (weights loaded
    # from a file), and a model loaded from a file, have no known custom head.
    "clean-502-weights-none-with-its-top": (set(), TOP + """
from keras.applications.vgg19 import VGG19, decode_predictions, preprocess_input
model = VGG19(weights=None)
model.load_weights("vgg19_imagenet.h5")
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
print(decode_predictions(preds))
"""),
    "clean-502-loaded-model": (set(), TOP + """
from keras.models import load_model
from keras.applications.vgg19 import decode_predictions, preprocess_input
model = load_model("vgg19.h5")
preds = model.predict(preprocess_input(img_to_array(load_img("a.jpg", target_size=(224, 224)))[None]))
print(decode_predictions(preds))
"""),

    # -- CNN503 frozen-base-training-mode (needs a pre-trained base) ------------------------------
    "503-application-import-alias": ({"CNN503"}, HEAD + """
from tensorflow.keras.applications import MobileNetV2 as Backbone
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
base = Backbone(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
inputs = keras.Input((160, 160, 3))
x = base(preprocess_input(inputs))
""" + FINE_TUNE),
    "503-base-held-in-another-variable": ({"CNN503"}, FROZEN + """
backbone = base
x = backbone(preprocess_input(inputs))
""" + FINE_TUNE),
    "503-helper-builds-the-model": ({"CNN503"}, HEAD + """
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
def build(backbone):
    inputs = keras.Input((160, 160, 3))
    x = backbone(preprocess_input(inputs))
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
model = build(base)
model.fit(train, epochs=10)
base.trainable = True
model.fit(train, epochs=10)
"""),
    "503-helper-unfreezes": ({"CNN503"}, FROZEN + """
def unfreeze(net):
    net.trainable = True
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
model.fit(train, epochs=10)
unfreeze(base)
model.fit(train, epochs=10)
"""),
    "503-built-in-another-module": ({"CNN503"}, {
        "model_def.py": """
from tensorflow import keras
def build():
    base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
    base.trainable = False
    inputs = keras.Input((160, 160, 3))
    x = base(keras.applications.mobilenet_v2.preprocess_input(inputs))
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(x))), base
""",
        "train.py": """
from tensorflow import keras
from model_def import build
model, base = build()
train = keras.utils.image_dataset_from_directory("data/train", image_size=(160, 160))
model.fit(train, epochs=10)
base.trainable = True
model.fit(train, epochs=10)
""",
    }),
    "503-sequential-cannot-pass-training": ({"CNN503"}, HEAD + """
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
model = keras.Sequential([keras.layers.Rescaling(1 / 127.5, offset=-1), base,
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)])
model.fit(train, epochs=10)
base.trainable = True
model.fit(train, epochs=10)
"""),
    "503-unfrozen-on-a-branch": ({"CNN503"}, FROZEN + """
import argparse
args = argparse.ArgumentParser().parse_args()
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
model.fit(train, epochs=10)
if args.fine_tune:
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
    model.fit(train, epochs=10)
"""),
    "503-loop-over-stages": ({"CNN503"}, HEAD + """
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
inputs = keras.Input((160, 160, 3))
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
for trainable in [False, True]:
    base.trainable = trainable
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(train, epochs=5)
"""),
    "503-training-true-is-not-inference-mode": ({"CNN503"}, FROZEN + """
x = base(preprocess_input(inputs), training=True)
""" + FINE_TUNE),
    "503-after-rescaling-and-augmentation": ({"CNN503"}, HEAD + """
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
inputs = keras.Input((160, 160, 3))
x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
x = keras.layers.RandomFlip()(x)
x = base(x)
""" + FINE_TUNE),
    "503-loop-over-stage-tuples": fixed({"CNN503"}, HEAD + """
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
inputs = keras.Input((160, 160, 3))
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
for trainable, lr in [(False, 1e-3), (True, 1e-5)]:
    base.trainable = trainable
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy")
    model.fit(train, epochs=5)
""", "Interpreter.assign does not unpack a constant tuple: `trainable` stays unknown"),
    "clean-503-training-false": (set(), FROZEN + """
x = base(preprocess_input(inputs), training=False)
""" + FINE_TUNE),
    "clean-503-training-false-through-a-constant": (set(), FROZEN + """
TRAINING = False
x = base(preprocess_input(inputs), training=TRAINING)
""" + FINE_TUNE),
    "clean-503-never-unfrozen": (set(), FROZEN + """
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
model.fit(train, epochs=10)
"""),
    "clean-503-trainable-from-the-start": (set(), HEAD + """
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
inputs = keras.Input((160, 160, 3))
x = base(preprocess_input(inputs))
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
model.fit(train, epochs=10)
"""),
    # Needs a pre-trained base: no ImageNet statistics to wreck with weights=None, and
    # nothing known about a model loaded from a file.
    "clean-503-weights-none": (set(), HEAD + """
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights=None)
base.trainable = False
inputs = keras.Input((160, 160, 3))
x = base(keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs))
""" + FINE_TUNE),
    "clean-503-base-without-batchnorm": (set(), HEAD + """
from tensorflow.keras.applications.vgg16 import VGG16, preprocess_input
base = VGG16(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
inputs = keras.Input((160, 160, 3))
x = base(preprocess_input(inputs))
""" + FINE_TUNE),
    "clean-503-loaded-base": (set(), HEAD + """
base = keras.models.load_model("encoder.keras")
base.trainable = False
inputs = keras.Input((160, 160, 3))
x = base(inputs)
""" + FINE_TUNE),
}


def _param(case_id, case):
    if hasattr(case, "marks"):  # already a pytest.param (xfail)
        return pytest.param(*case.values, id=case_id, marks=case.marks)
    return pytest.param(*case, id=case_id)


@pytest.mark.parametrize("expected, code", [_param(k, v) for k, v in CASES.items()])
def test_case(expected, code, codes):
    assert codes(code) == expected

