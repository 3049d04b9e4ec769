"""The helper in imaging.py scales to [0, 1]; MobileNetV2 expects [-1, 1] (CNN104, across modules)."""
import numpy as np
from imaging import load_batch
from tensorflow.keras.applications import MobileNetV2

model = MobileNetV2(weights="imagenet")
print(model.predict(np.stack(load_batch(["a.jpg", "b.jpg"]))).argmax(axis=1))
