"""InceptionV3 with its ImageNet top takes 299x299; these images are 224x224 (CNN202)."""
import sys

import numpy as np
from keras.applications.inception_v3 import InceptionV3, decode_predictions, preprocess_input
from keras.utils import img_to_array, load_img

SIZE = (224, 224)
model = InceptionV3(weights="imagenet")
for path in sys.argv[1:]:
    x = preprocess_input(img_to_array(load_img(path, target_size=SIZE))[np.newaxis])
    print(path, decode_predictions(model.predict(x))[0][0])
