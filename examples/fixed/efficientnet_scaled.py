"""EfficientNet gets 0..255 pixels, as its built-in preprocessing expects."""
import numpy as np
import tensorflow as tf

model = tf.keras.applications.EfficientNetB0(weights="imagenet")


def load(path):
    image = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)
    return tf.image.resize(image, (224, 224))


paths = ["a.jpg", "b.jpg"]
print(np.argmax(model.predict(tf.stack([load(p) for p in paths])), axis=1))
