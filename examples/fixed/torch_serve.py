"""A Flask service for a timm model: uploads converted to RGB, and the model's own preprocessing."""
import io

import timm
import torch
from flask import Flask, jsonify, request
from PIL import Image

app = Flask(__name__)
model = timm.create_model("convnext_tiny.fb_in1k", pretrained=True).eval()
preprocess = timm.data.create_transform(**timm.data.resolve_model_data_config(model))


@app.route("/predict", methods=["POST"])
def predict():
    image = Image.open(io.BytesIO(request.files["image"].read())).convert("RGB")
    with torch.inference_mode():
        scores = model(preprocess(image).unsqueeze(0)).softmax(1)
    return jsonify(scores.topk(5).indices.tolist())
