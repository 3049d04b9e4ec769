"""Evaluation with a shuffling generator and a one-unit softmax head (CNN404, CNN501)."""
import numpy as np
from sklearn.metrics import confusion_matrix
from tensorflow.keras import Model, layers
from tensorflow.keras.applications.densenet import DenseNet121, preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator

base = DenseNet121(weights="imagenet", include_top=False, pooling="avg")
model = Model(base.input, layers.Dense(1, activation="softmax")(base.output))
model.compile("adam", "binary_crossentropy")
test = ImageDataGenerator(preprocessing_function=preprocess_input).flow_from_directory(
    "xray/test", target_size=(224, 224), class_mode="binary")
predicted = (model.predict(test) > 0.5).astype(int).ravel()
print(confusion_matrix(test.classes, predicted))
