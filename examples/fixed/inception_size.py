"""InceptionV3 gets the 299x299 images it was trained on."""
import sys

import numpy as np
from keras.applications.inception_v3 import InceptionV3, decode_predictions, preprocess_input
from keras.utils import img_to_array, load_img

SIZE = (299, 299)
model = InceptionV3(weights="imagenet")
for path in sys.argv[1:]:
    x = preprocess_input(img_to_array(load_img(path, target_size=SIZE))[np.newaxis])
    print(path, decode_predictions(model.predict(x))[0][0])
