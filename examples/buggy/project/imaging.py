"""Helpers shared by the scripts of this small project."""
from tensorflow.keras.utils import img_to_array, load_img


def load_batch(paths, size=(224, 224)):
    return [img_to_array(load_img(p, target_size=size)) / 255.0 for p in paths]
