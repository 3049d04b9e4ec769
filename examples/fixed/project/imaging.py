"""Helpers shared by the scripts of this small project."""
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
from tensorflow.keras.utils import img_to_array, load_img


def load_batch(paths, size=(224, 224)):
    return [preprocess_input(img_to_array(load_img(p, target_size=size))) for p in paths]
