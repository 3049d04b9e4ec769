"""No target_size and no batch axis: a photo of any size, as one 3-D array (CNN201, CNN203)."""
from tensorflow.keras.applications.vgg16 import VGG16, decode_predictions, preprocess_input
from tensorflow.keras.preprocessing import image

model = VGG16(weights="imagenet")
photo = image.img_to_array(image.load_img("holiday.jpg"))
print(decode_predictions(model.predict(preprocess_input(photo))))
