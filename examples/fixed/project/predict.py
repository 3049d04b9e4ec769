"""The helper in imaging.py applies MobileNetV2's own preprocessing."""
import numpy as np
from imaging import load_batch
from tensorflow.keras.applications import MobileNetV2

model = MobileNetV2(weights="imagenet")
print(model.predict(np.stack(load_batch(["a.jpg", "b.jpg"]))).argmax(axis=1))
