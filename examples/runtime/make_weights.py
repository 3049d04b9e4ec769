"""Stand-in for downloaded ImageNet weights (this demo runs offline): build MobileNetV2 and save it.

With real weights, use ``weights="imagenet"`` in classify.py and skip this step.
"""
from tensorflow import keras

model = keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
model.save_weights("mobilenet_v2.weights.h5")
