"""The generator applies MobileNetV2's preprocessing once."""
from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input
from tensorflow.keras.layers import Dense, GlobalAveragePooling2D
from tensorflow.keras.models import Model
from tensorflow.keras.preprocessing.image import ImageDataGenerator

base = MobileNetV2(weights="imagenet", include_top=False, input_shape=(224, 224, 3))
head = Dense(3, activation="softmax")(GlobalAveragePooling2D()(base.output))
model = Model(base.input, head)
model.compile("adam", "categorical_crossentropy")

augment = ImageDataGenerator(preprocessing_function=preprocess_input, horizontal_flip=True)
model.fit(augment.flow_from_directory("train", target_size=(224, 224)), epochs=5)
