"""Webcam frames from OpenCV are BGR; MobileNetV2's preprocess_input expects RGB (CNN301)."""
import cv2
import numpy as np
from tensorflow.keras.applications import mobilenet_v2

model = mobilenet_v2.MobileNetV2(weights="imagenet")
camera = cv2.VideoCapture(0)
while True:
    ok, frame = camera.read()
    if not ok:
        break
    small = cv2.resize(frame, (224, 224)).astype("float32")
    label = mobilenet_v2.decode_predictions(model.predict(mobilenet_v2.preprocess_input(small[None])))[0][0][1]
    print(label)
