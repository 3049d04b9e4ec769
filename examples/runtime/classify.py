"""Classify the pictures in images/ with MobileNetV2: it runs, prints classes, and is wrong.

    cd examples/runtime && python make_weights.py && cnnlint run classify.py
"""
from pathlib import Path

import numpy as np
from tensorflow import keras

model = keras.applications.MobileNetV2(weights="mobilenet_v2.weights.h5", alpha=0.35, input_shape=(96, 96, 3))

paths = sorted(Path("images").glob("*.jpg"))
batch = np.stack([keras.utils.img_to_array(keras.utils.load_img(p, target_size=(96, 96))) for p in paths])
print(model.predict(batch, verbose=0).argmax(axis=1))  # mobilenet_v2.preprocess_input is missing
