"""EfficientNet rescales inside the model; dividing by 255 first hands it a black image (CNN104)."""
import numpy as np
import tensorflow as tf

model = tf.keras.applications.EfficientNetB0(weights="imagenet")


def load(path):
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    image = tf.image.resize(image, (224, 224))
    return tf.cast(image, tf.float32) / 255.0


paths = ["a.jpg", "b.jpg"]
print(np.argmax(model.predict(tf.stack([load(p) for p in paths])), axis=1))
