"""The data pipeline uses the preprocessing of the backbone it feeds."""
import tensorflow as tf
from tensorflow.keras.applications.resnet50 import preprocess_input

SIZE = 224
Backbone = tf.keras.applications.ResNet50


def dataset(folder):
    images = tf.keras.utils.image_dataset_from_directory(folder, image_size=(SIZE, SIZE))
    return images.map(lambda x, y: (preprocess_input(x), y))


base = Backbone(include_top=False, weights="imagenet", input_shape=(SIZE, SIZE, 3), pooling="avg")
base.trainable = False
inputs = tf.keras.Input((SIZE, SIZE, 3))
outputs = tf.keras.layers.Dense(5, activation="softmax")(base(inputs, training=False))
model = tf.keras.Model(inputs, outputs)
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(dataset("flowers/train"), epochs=3)
