"""Resized to VGG16's 224x224 and given a batch axis."""
import numpy as np
from tensorflow.keras.applications.vgg16 import VGG16, decode_predictions, preprocess_input
from tensorflow.keras.preprocessing import image

model = VGG16(weights="imagenet")
photo = image.img_to_array(image.load_img("holiday.jpg", target_size=(224, 224)))
print(decode_predictions(model.predict(preprocess_input(np.expand_dims(photo, 0)))))
