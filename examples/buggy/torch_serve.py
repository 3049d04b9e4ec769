"""A Flask service for a timm model: uploads never converted to RGB, and Normalize on 0..255 values
(CNN204, CNN603)."""
import io

import numpy as np
import timm
import torch
from flask import Flask, jsonify, request
from PIL import Image
from torchvision import transforms

app = Flask(__name__)
model = timm.create_model("convnext_tiny.fb_in1k", pretrained=True).eval()
normalize = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])


@app.route("/predict", methods=["POST"])
def predict():
    image = Image.open(io.BytesIO(request.files["image"].read())).resize((224, 224))
    pixels = torch.from_numpy(np.asarray(image)).permute(2, 0, 1).float()
    with torch.inference_mode():
        scores = model(normalize(pixels).unsqueeze(0)).softmax(1)
    return jsonify(scores.topk(5).indices.tolist())
