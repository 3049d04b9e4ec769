"""Webcam frames are converted from BGR to RGB before MobileNetV2's preprocess_input."""
import cv2
import numpy as np
from tensorflow.keras.applications import mobilenet_v2

model = mobilenet_v2.MobileNetV2(weights="imagenet")
camera = cv2.VideoCapture(0)
while True:
    ok, frame = camera.read()
    if not ok:
        break
    small = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), (224, 224)).astype("float32")
    label = mobilenet_v2.decode_predictions(model.predict(mobilenet_v2.preprocess_input(small[None])))[0][0][1]
    print(label)
