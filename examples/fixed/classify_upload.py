"""A tiny image-classification service, with ResNet50's own preprocess_input."""
import io

import numpy as np
from PIL import Image
from tensorflow.keras.applications.resnet50 import ResNet50, decode_predictions, preprocess_input

model = ResNet50(weights="imagenet")


def to_batch(data: bytes) -> np.ndarray:
    picture = Image.open(io.BytesIO(data)).convert("RGB").resize((224, 224))
    return preprocess_input(np.expand_dims(np.asarray(picture, dtype=np.float32), axis=0))


def classify(data: bytes):
    return decode_predictions(model.predict(to_batch(data)), top=3)[0]
