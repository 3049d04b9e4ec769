"""PyTorch: the analysis follows images and models through aliases, helpers, dicts of transforms, loops,
Dataset classes and DataLoaders, and the CNN6xx rules (and the shared ones) judge what reaches the models.

Each case is code written for this test; the expected codes are exactly what cnnlint must report.
Cases named ``clean-...`` are the correct twins of the buggy ones.
"""
from __future__ import annotations

import pytest

TV = """
import torch
import torch.nn as nn
from PIL import Image
from torchvision import models, transforms
"""

NORMALIZE = "transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])"

# A training loop over a dict of loaders by phase; {val} completes the validation transform.
PHASES = TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
data_transforms = {{
    "train": transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor(), """ + NORMALIZE + """]),
    "val": transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(){val}]),
}}
image_datasets = {{x: datasets.ImageFolder(f"data/{{x}}", data_transforms[x]) for x in ["train", "val"]}}
loaders = {{x: DataLoader(image_datasets[x], batch_size=8, shuffle=x == "train") for x in ["train", "val"]}}
model = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
model.fc = nn.Linear(model.fc.in_features, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(3):
    for phase in ["train", "val"]:
        if phase == "train":
            model.train()
        else:
            model.eval()
        for inputs, labels in loaders[phase]:
            with torch.set_grad_enabled(phase == "train"):
                loss = nn.functional.cross_entropy(model(inputs), labels)
                if phase == "train":
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
"""

# A Flask route predicting with a module-level model; {setup} runs at start.
ROUTE = TV + """
import io
from flask import Flask, request
app = Flask(__name__)
model = models.densenet121(pretrained=True)
{setup}
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
@app.route("/predict", methods=["POST"])
def predict():
    image = Image.open(io.BytesIO(request.files["file"].read())).convert("RGB")
    with torch.no_grad():
        return str(model(prep(image).unsqueeze(0)).argmax().item())
"""

# Evaluation of an ImageFolder test set batch by batch; {shuffle} completes the DataLoader's arguments.
EVALUATE = TV + """
from sklearn.metrics import accuracy_score, classification_report
from torch.utils.data import DataLoader
from torchvision import datasets
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
test_set = datasets.ImageFolder("data/test", transform=prep)
test_loader = DataLoader(test_set, batch_size=32{shuffle})
model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2).eval()
predicted, truth = [], []
with torch.no_grad():
    for images, labels in test_loader:
        _, top = torch.max(model(images), 1)
        predicted.extend(top.cpu().numpy())
        truth.extend(labels.numpy())
"""

# A recurrent network trained on MNIST batches reshaped to (N, 28, 28); {reshape} is what its test loop feeds.
RNN = TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
class RNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, 2, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(128, 10)
    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])
model = RNN()
optimizer = torch.optim.Adam(model.parameters())
train_loader = DataLoader(datasets.MNIST("data", train=True, transform=transforms.ToTensor()), batch_size=100)
test_loader = DataLoader(datasets.MNIST("data", train=False, transform=transforms.ToTensor()), batch_size=100)
for images, labels in train_loader:
    loss = nn.functional.cross_entropy(model(images.reshape(-1, 28, 28)), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
with torch.no_grad():
    for images, labels in test_loader:
        print(model({reshape}).argmax(1))
"""

# A small network of the project with Dropout, trained on MNIST; {before} runs before training, {after} after.
SMALL_NET = TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Dropout(0.5), nn.Linear(8 * 26 * 26, 10))
loader = DataLoader(datasets.MNIST("data", train=True, transform=transforms.ToTensor()), batch_size=64)
optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
{{before}}
for x, y in loader:
    loss = nn.functional.cross_entropy(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
{{after}}
""".replace("{{", "{").replace("}}", "}")


CASES = {
    # -- CNN601 missing-normalize ---------------------------------------------------------------
    "601-import-aliases": ({"CNN601"}, """
import torch
import torchvision.transforms as T
from torchvision import models as tvm
from PIL import Image as PILImage
net = tvm.resnet18(weights="DEFAULT").eval()
prep = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])
with torch.inference_mode():
    net(prep(PILImage.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "601-through-helpers": ({"CNN601"}, TV + """
def build_transform(size=224):
    return transforms.Compose([transforms.Resize((size, size)), transforms.ToTensor()])
def load(path, transform):
    return transform(Image.open(path).convert("RGB"))[None]
model = models.mobilenet_v2(pretrained=True)
model.eval()
with torch.no_grad():
    print(model(load("x.jpg", build_transform())).argmax(1))
"""),
    "601-dict-of-transforms-validation-phase": ({"CNN601", "CNN403"}, PHASES.format(val="")),
    "clean-601-dict-of-transforms-both-normalised": (set(), PHASES.format(val=", " + NORMALIZE)),
    "601-dataset-class-and-dataloader-loop": ({"CNN601"}, TV + """
import glob
from torch.utils.data import DataLoader, Dataset
class Folder(Dataset):
    def __init__(self, paths, transform=None):
        self.paths = paths
        self.transform = transform
    def __len__(self):
        return len(self.paths)
    def __getitem__(self, i):
        image = Image.open(self.paths[i]).convert("RGB")
        if self.transform:
            image = self.transform(image)
        return image, 0
loader = DataLoader(Folder(glob.glob("imgs/*.jpg"), transforms.Compose([transforms.Resize((224, 224)),
                                                                        transforms.ToTensor()])), batch_size=16)
model = models.efficientnet_b0(weights="IMAGENET1K_V1").eval()
features = []
with torch.no_grad():
    for images, _ in loader:
        features.append(model(images))
"""),
    "601-feature-extractor-from-children": ({"CNN601"}, TV + """
backbone = models.resnet50(pretrained=True)
extractor = nn.Sequential(*list(backbone.children())[:-1])
extractor.eval()
transform = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor()])
def embed(image):
    with torch.no_grad():
        return extractor(transform(image).unsqueeze(0)).flatten()
embed(Image.open("cover.jpg").convert("RGB"))
"""),
    "601-torch-hub-and-gradio-entry-point": ({"CNN601"}, """
import torch
from torchvision import transforms
model = torch.hub.load("pytorch/vision:v0.10.0", "resnet18", pretrained=True).eval()
def predict(inp):
    inp = transforms.ToTensor()(inp).unsqueeze(0)
    with torch.no_grad():
        return torch.nn.functional.softmax(model(inp)[0], dim=0)
"""),
    "clean-601-weights-transforms": (set(), TV + """
weights = models.ResNet50_Weights.DEFAULT
model = models.resnet50(weights=weights).eval()
preprocess = weights.transforms()
with torch.no_grad():
    model(preprocess(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-601-from-scratch": (set(), TV + """
model = models.resnet18(weights=None, num_classes=10).eval()
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor()])
with torch.no_grad():
    model(prep(Image.open("a.jpg").convert("RGB"))[None])
"""),
    "clean-601-detection-model-takes-unit-images": (set(), TV + """
model = models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT").eval()
with torch.no_grad():
    print(model([transforms.ToTensor()(Image.open("street.jpg").convert("RGB"))]))
"""),
    "clean-601-unknown-model": (set(), TV + """
model = torch.load("whole_model.pt").eval()
with torch.no_grad():
    model(transforms.ToTensor()(Image.open("a.jpg").convert("RGB"))[None])
"""),

    # -- CNN602 normalize-mismatch ---------------------------------------------------------------------
    "602-timm-vit-with-imagenet-statistics": ({"CNN602"}, """
import timm
import torch
import numpy as np
from torchvision import transforms
def descriptors(images, model_name="vit_tiny_patch16_224"):
    model = timm.create_model(model_name, pretrained=True, num_classes=0)
    model.eval()
    transform = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                                    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    out = []
    with torch.no_grad():
        for start in range(0, len(images), 32):
            batch = torch.stack([transform(img) for img in images[start:start + 32]])
            out.append(model(batch).numpy())
    return np.concatenate(out)
"""),
    "602-helper-defaults-and-a-cam-class-chosen-from-a-dict": ({"CNN602"}, """
import cv2
import numpy as np
import torch
from pytorch_grad_cam import GradCAM, ScoreCAM
from torchvision.transforms import Compose, Normalize, ToTensor
def preprocess_image(img, mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]):
    return Compose([ToTensor(), Normalize(mean=mean, std=std)])(img.copy()).unsqueeze(0)
methods = {"gradcam": GradCAM, "scorecam": ScoreCAM}
model = torch.hub.load("facebookresearch/deit:main", "deit_tiny_patch16_224", pretrained=True).eval()
cam = methods["gradcam" if np.random.rand() > 0.5 else "scorecam"](model=model, target_layers=[model.blocks[-1]])
rgb = np.float32(cv2.resize(cv2.imread("both.png", 1)[:, :, ::-1], (224, 224))) / 255
heatmap = cam(input_tensor=preprocess_image(rgb, mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5]))
"""),
    "602-scaled-after-normalize-in-a-lambda": ({"CNN602"}, TV + """
preprocess = transforms.Compose([transforms.ToTensor(), """ + NORMALIZE + """, transforms.Lambda(lambda x: x.mul_(255))])
vgg = models.vgg19(pretrained=True).features.eval()
for p in vgg.parameters():
    p.requires_grad_(False)
images = [preprocess(Image.open(p).convert("RGB"))[None] for p in ["style.jpg", "content.jpg"]]
features = [vgg(img) for img in images]
"""),
    "602-inception-scaling-by-hand-for-a-torchvision-model": ({"CNN602"}, TV + """
import numpy as np
model = models.resnet50(weights="IMAGENET1K_V2").eval()
x = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)), dtype=np.float32) / 127.5 - 1
with torch.no_grad():
    model(torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0))
"""),
    "clean-602-rounded-statistics": (set(), TV + """
model = models.densenet121(pretrained=True).eval()
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                           transforms.Normalize([0.48, 0.46, 0.41], [0.23, 0.22, 0.23])])
with torch.no_grad():
    model(prep(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-602-timm-data-config": (set(), """
import timm
import torch
from PIL import Image
model = timm.create_model("vit_small_patch16_224", pretrained=True).eval()
config = timm.data.resolve_model_data_config(model)
transform = timm.data.create_transform(**config)
with torch.no_grad():
    model(transform(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-602-by-hand-with-the-weights-statistics": (set(), TV + """
import numpy as np
MEANS, STDS = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
model = models.vgg16(pretrained=True).eval()
x = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224))) / 255
x = ((x - MEANS) / STDS).transpose(2, 0, 1)
with torch.no_grad():
    model(torch.from_numpy(x).float().unsqueeze(0))
"""),

    # -- CNN603 unscaled-tensor ---------------------------------------------------------------------------
    "603-from-numpy-float-then-normalize": ({"CNN603"}, TV + """
import cv2
model = models.resnet34(weights="DEFAULT").eval()
norm = """ + NORMALIZE + """
def to_input(path):
    img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    img = cv2.resize(img, (224, 224))
    return norm(torch.from_numpy(img).permute(2, 0, 1).float()).unsqueeze(0)
with torch.no_grad():
    model(to_input("a.jpg"))
"""),
    "603-todtype-without-scale": ({"CNN603"}, """
import torch
from torchvision import models
from torchvision.io import read_image
from torchvision.transforms import v2
model = models.convnext_tiny(weights="DEFAULT").eval()
transforms = v2.Compose([v2.Resize(232), v2.CenterCrop(224), v2.ToDtype(torch.float32),
                         v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
with torch.no_grad():
    for path in ["a.jpg", "b.jpg"]:
        print(model(transforms(read_image(path)).unsqueeze(0)).argmax())
"""),
    "603-totensor-on-a-float-array": ({"CNN603"}, TV + """
import numpy as np
model = models.resnet18(weights="IMAGENET1K_V1").eval()
arr = np.float32(Image.open("a.jpg").convert("RGB").resize((224, 224)))
x = transforms.Compose([transforms.ToTensor(), """ + NORMALIZE + """])(arr)
with torch.no_grad():
    model(x[None])
"""),
    "603-detection-model-on-uint8": ({"CNN603"}, """
import torch
from torchvision.io import read_image
from torchvision.models.detection import retinanet_resnet50_fpn
model = retinanet_resnet50_fpn(weights="DEFAULT").eval()
with torch.no_grad():
    print(model([read_image("street.jpg").float()]))
"""),
    "clean-603-todtype-with-scale": (set(), """
import torch
from torchvision import models
from torchvision.io import read_image
from torchvision.transforms import v2
model = models.convnext_tiny(weights="DEFAULT").eval()
transforms = v2.Compose([v2.Resize(232), v2.CenterCrop(224), v2.ToDtype(torch.float32, scale=True),
                         v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
with torch.no_grad():
    print(model(transforms(read_image("a.jpg")).unsqueeze(0)).argmax())
"""),
    "clean-603-totensor-on-uint8": (set(), TV + """
import numpy as np
model = models.resnet18(weights="IMAGENET1K_V1").eval()
arr = np.asarray(Image.open("a.jpg").convert("RGB").resize((224, 224)))
x = transforms.Compose([transforms.ToTensor(), """ + NORMALIZE + """])(arr)
with torch.no_grad():
    model(x[None])
"""),
    "clean-603-detection-model-scaled": (set(), """
import torch
from torchvision.io import read_image
from torchvision.models.detection import retinanet_resnet50_fpn
model = retinanet_resnet50_fpn(weights="DEFAULT").eval()
with torch.no_grad():
    print(model([read_image("street.jpg").float() / 255]))
"""),

    # -- CNN604 missing-eval --------------------------------------------------------------------------------
    "604-never-switched-under-no-grad": ({"CNN604"}, TV + """
weights = models.ResNet50_Weights.DEFAULT
model = models.resnet50(weights=weights)
with torch.no_grad():
    model(weights.transforms()(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "604-validation-through-the-training-function": ({"CNN604"}, TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
train = DataLoader(datasets.ImageFolder("train", prep), batch_size=8, shuffle=True)
valid = DataLoader(datasets.ImageFolder("valid", prep), batch_size=8)
model = models.vgg13(pretrained=True)
optimizer = torch.optim.Adam(model.parameters())
def run(mode, loader):
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        if mode == "train":
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
for epoch in range(5):
    run("train", train)
    with torch.no_grad():
        run("valid", valid)
"""),
    "604-user-module-wrapping-a-backbone": ({"CNN604"}, TV + """
class Extractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.resnet = models.resnet101(pretrained=True)
    def forward(self, x):
        x = self.resnet.conv1(x)
        x = self.resnet.bn1(x)
        return torch.flatten(self.resnet.avgpool(self.resnet.layer4(x)), 1)
model = Extractor()
prep = transforms.Compose([transforms.Resize(224), transforms.ToTensor(), """ + NORMALIZE + """])
features = model(torch.cat([prep(Image.open(p).convert("RGB")).unsqueeze(0) for p in ["a.jpg", "b.jpg"]]))
"""),
    "604-onnx-export-in-train-mode": ({"CNN604"}, """
import torch
import torchvision
model = torchvision.models.mobilenet_v3_large(weights="DEFAULT")
torch.onnx.export(model, torch.randn(1, 3, 224, 224), "mobilenet.onnx")
"""),
    "604-flask-route-of-a-model-never-switched": ({"CNN604"}, ROUTE.format(setup="")),
    "clean-604-flask-route-of-a-model-switched-at-start": (set(), ROUTE.format(setup="model.eval()")),
    "clean-604-eval-in-the-evaluation-helper": (set(), TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
train = DataLoader(datasets.ImageFolder("train", prep), batch_size=8, shuffle=True)
valid = DataLoader(datasets.ImageFolder("valid", prep), batch_size=8)
model = models.vgg13(pretrained=True)
optimizer = torch.optim.Adam(model.parameters())
@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    return [model(x).argmax(1) for x, _ in loader]
for epoch in range(5):
    model.train()
    for x, y in train:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    evaluate(model, valid)
"""),
    "clean-604-eval-on-one-path-only-is-unknown": (set(), TV + """
import sys
weights = models.ResNet50_Weights.DEFAULT
model = models.resnet50(weights=weights)
if "--eval" in sys.argv:
    model.eval()
with torch.no_grad():
    model(weights.transforms()(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-604-train-false-and-export": (set(), """
import torch
import torchvision
model = torchvision.models.mobilenet_v3_large(weights="DEFAULT")
model.train(False)
torch.onnx.export(model, torch.randn(1, 3, 224, 224), "mobilenet.onnx")
"""),
    "clean-604-module-without-batchnorm-or-dropout": (set(), TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.head = nn.Linear(8, 2)
    def forward(self, x):
        return self.head(self.conv(x).mean((2, 3)))
prep = transforms.Compose([transforms.Resize((64, 64)), transforms.ToTensor()])
net = Tiny()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for x, y in DataLoader(datasets.ImageFolder("train", prep), batch_size=4):
    opt.zero_grad()
    nn.functional.cross_entropy(net(x), y).backward()
    opt.step()
with torch.no_grad():
    for x, y in DataLoader(datasets.ImageFolder("test", prep), batch_size=4):
        print(net(x).argmax(1))
"""),

    # -- CNN605 random-augmentation-at-inference ---------------------------------------------------------------
    "605-one-transform-for-training-and-test": ({"CNN605", "CNN601"}, TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
data_transform = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()])
train_loader = DataLoader(datasets.ImageFolder("flowers/train", transform=data_transform), batch_size=20, shuffle=True)
test_loader = DataLoader(datasets.ImageFolder("flowers/test", transform=data_transform), batch_size=20)
vgg = models.vgg16(pretrained=True)
optimizer = torch.optim.SGD(vgg.classifier.parameters(), lr=0.001)
for data, target in train_loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(vgg(data), target).backward()
    optimizer.step()
vgg.eval()
for data, target in test_loader:
    print((vgg(data).argmax(1) == target).sum())
"""),
    "605-validation-split-of-the-augmented-set": ({"CNN605"}, TV + """
from torch.utils.data import DataLoader, random_split
from torchvision import datasets
train_tf = transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                               transforms.ColorJitter(0.2, 0.2), transforms.ToTensor(), """ + NORMALIZE + """])
full = datasets.ImageFolder("data/train", transform=train_tf)
train_data, val_data = random_split(full, [800, 200])
train_loader = DataLoader(train_data, batch_size=32, shuffle=True)
val_loader = DataLoader(val_data, batch_size=32)
model = models.resnet50(weights="IMAGENET1K_V1")
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(10):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(x).argmax(1) == y).sum() for x, y in val_loader)
"""),
    "605-dataset-class-default-transform": ({"CNN605"}, TV + """
from torch.utils.data import DataLoader, Dataset
augment = transforms.Compose([transforms.ToTensor(), transforms.Resize((256, 256)), transforms.RandomPerspective(p=1.0),
                              """ + NORMALIZE + """])
class Cars(Dataset):
    def __init__(self, paths, transform_prediction=augment):
        self.paths = paths
        self.transform_prediction = transform_prediction
    def __len__(self):
        return len(self.paths)
    def __getitem__(self, i):
        return self.transform_prediction(Image.open(self.paths[i]).convert("RGB")), 0
model = models.alexnet(pretrained=True).eval()
with torch.no_grad():
    for images, labels in DataLoader(Cars(["a.jpg", "b.jpg"]), batch_size=2):
        print(model(images).argmax(1))
"""),
    "clean-605-test-subset-given-its-own-transform": (set(), TV + """
from torch.utils.data import DataLoader, random_split
from torchvision import datasets
train_tf = transforms.Compose([transforms.Resize((224, 224)), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
                               """ + NORMALIZE + """])
test_tf = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
dataset = datasets.ImageFolder("brain", transform=train_tf)
train_dataset, test_dataset = random_split(dataset, [200, 50])
test_dataset.dataset.transform = test_tf
test_loader = DataLoader(test_dataset, batch_size=16)
model = models.resnet18(weights="DEFAULT").eval()
with torch.inference_mode():
    for X, y in test_loader:
        model(X)
"""),
    "clean-605-representations-of-the-training-loader": (set(), TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
train_tf = transforms.Compose([transforms.Resize(224), transforms.RandomRotation(5), transforms.ToTensor(), """ + NORMALIZE + """])
train_loader = DataLoader(datasets.CIFAR10(".data", train=True, transform=train_tf), batch_size=64, shuffle=True)
model = models.vgg11_bn(weights="DEFAULT")
optimizer = torch.optim.Adam(model.parameters())
for x, y in train_loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
def get_representations(model, iterator):
    model.eval()
    with torch.no_grad():
        return [model(x) for x, _ in iterator]
outputs = get_representations(model, train_loader)
"""),
    "clean-605-frozen-extractor-inside-the-training-step": (set(), TV + """
from torch.utils.data import DataLoader
from torchvision import datasets
aug = transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
backbone = models.resnet18(weights="DEFAULT").eval()
head = nn.Linear(1000, 5)
optimizer = torch.optim.Adam(head.parameters())
for x, y in DataLoader(datasets.ImageFolder("train", aug), batch_size=16, shuffle=True):
    with torch.no_grad():
        features = backbone(x)
    optimizer.zero_grad()
    nn.functional.cross_entropy(head(features), y).backward()
    optimizer.step()
"""),

    # -- shared rules on PyTorch code -----------------------------------------------------------------------------
    "204-upload-never-converted": ({"CNN204"}, TV + """
import io
from flask import Flask, request
app = Flask(__name__)
model = models.resnet18(pretrained=True).eval()
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
@app.route("/predict", methods=["POST"])
def predict():
    image = Image.open(io.BytesIO(request.files["file"].read()))
    with torch.no_grad():
        return str(model(prep(image).unsqueeze(0)).argmax().item())
"""),
    "204-fastapi-upload-to-a-function-cnnlint-cannot-see": ({"CNN204"}, """
import io
from fastapi import FastAPI, File, UploadFile
from PIL import Image
from torchvision import transforms
from matching import predict
app = FastAPI()
transform = transforms.Compose([transforms.Resize((320, 320)), transforms.ToTensor(),
                                transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
@app.post("/upload-image/")
async def upload_image(file: UploadFile = File(...)):
    image = Image.open(io.BytesIO(await file.read()))
    return predict(transform(image).unsqueeze(0))
"""),
    "204-grayscale-transform": ({"CNN204", "CNN602"}, TV + """
model = models.resnet18(weights="DEFAULT").eval()
prep = transforms.Compose([transforms.Grayscale(), transforms.Resize((224, 224)), transforms.ToTensor(),
                           transforms.Normalize([0.5], [0.5])])
with torch.no_grad():
    model(prep(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-204-streamlit-jpeg-only-uploader": (set(), TV + """
import streamlit as st
model = models.resnet18(weights="DEFAULT").eval()
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
uploaded = st.file_uploader("Choose an image", type="jpg")
if uploaded is not None:
    with torch.no_grad():
        st.write(model(prep(Image.open(uploaded)).unsqueeze(0)).argmax().item())
"""),
    "clean-204-webcam-data-url-to-an-unknown-model": (set(), TV + """
import base64
import io
model = torch.jit.load("scripted.pt").eval()
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
def reply_to_image(reply):
    return Image.open(io.BytesIO(base64.b64decode(reply["img"].split(",")[1])))
def label(reply):
    return model(prep(reply_to_image(reply)).unsqueeze(0)).argmax()
"""),
    "301-opencv-frame-into-a-torchvision-model": ({"CNN301"}, TV + """
import cv2
model = models.mobilenet_v3_small(weights="DEFAULT").eval()
prep = transforms.Compose([transforms.ToPILImage(), transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
cap = cv2.VideoCapture(0)
while True:
    ok, frame = cap.read()
    if not ok:
        break
    with torch.no_grad():
        print(model(prep(frame).unsqueeze(0)).argmax())
"""),
    "301-numpy-crop-through-isinstance-branch": ({"CNN301"}, TV + """
import cv2
import numpy as np
model = models.resnet18(weights="DEFAULT").eval()
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
def classify(image):
    if isinstance(image, np.ndarray):
        img = Image.fromarray(image).convert("RGB")
    else:
        img = Image.open(image).convert("RGB")
    with torch.no_grad():
        return model(prep(img).unsqueeze(0)).argmax()
frame = cv2.imread("street.jpg")
classify(frame[10:200, 30:300])
"""),
    "clean-301-converted-to-rgb": (set(), TV + """
import cv2
model = models.mobilenet_v3_small(weights="DEFAULT").eval()
prep = transforms.Compose([transforms.ToPILImage(), transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
frame = cv2.cvtColor(cv2.imread("a.jpg"), cv2.COLOR_BGR2RGB)
with torch.no_grad():
    print(model(prep(frame).unsqueeze(0)).argmax())
"""),
    "203-single-image-into-a-torchvision-model": ({"CNN203"}, TV + """
weights = models.ResNet50_Weights.DEFAULT
model = models.resnet50(weights=weights).eval()
with torch.no_grad():
    model(weights.transforms()(Image.open("a.jpg").convert("RGB")))
"""),
    "202-vit-at-another-size": ({"CNN202"}, TV + """
model = models.vit_b_16(weights="IMAGENET1K_V1").eval()
prep = transforms.Compose([transforms.Resize((256, 256)), transforms.ToTensor(), """ + NORMALIZE + """])
with torch.no_grad():
    model(prep(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "clean-202-cnn-takes-any-size": (set(), TV + """
model = models.resnet50(weights="IMAGENET1K_V1").eval()
prep = transforms.Compose([transforms.Resize((320, 320)), transforms.ToTensor(), """ + NORMALIZE + """])
with torch.no_grad():
    model(prep(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
"""),
    "103-normalised-twice-by-weights-transforms": ({"CNN103"}, TV + """
weights = models.EfficientNet_B3_Weights.DEFAULT
model = models.efficientnet_b3(weights=weights).eval()
def classify(image):
    tensor = transforms.Compose([transforms.ToTensor(), """ + NORMALIZE + """])(image.convert("RGB"))
    return model(weights.transforms()(tensor).unsqueeze(0))
"""),
    "clean-103-denormalised-for-display": (set(), TV + """
model = models.vgg19(pretrained=True).features.eval()
prep = transforms.Compose([transforms.ToTensor(), """ + NORMALIZE + """])
post = transforms.Normalize((-2.12, -2.04, -1.80), (4.37, 4.46, 4.44))
x = prep(Image.open("a.jpg").convert("RGB")).unsqueeze(0)
with torch.no_grad():
    out = model(x)
shown = post(x[0]).clamp(0, 1)
"""),

    # -- CNN404: predictions of a shuffling DataLoader next to the dataset's labels ------------------------------
    "404-batches-collected-and-scored-against-targets": ({"CNN404"}, EVALUATE.format(shuffle=", shuffle=True") + """
print(accuracy_score(test_set.targets, predicted))
"""),
    "404-concatenated-through-a-helper": ({"CNN404"}, TV + """
import numpy as np
from sklearn.metrics import confusion_matrix
from torch.utils.data import DataLoader
from torchvision import datasets
def predict_all(net, loader):
    outputs = []
    with torch.no_grad():
        for x, _ in loader:
            outputs.append(net(x).softmax(dim=1))
    return torch.cat(outputs).argmax(1).numpy()
prep = transforms.Compose([transforms.Resize((32, 32)), transforms.ToTensor()])
cifar = datasets.CIFAR10(".data", train=False, transform=prep)
net = models.resnet18(num_classes=10)
net.load_state_dict(torch.load("cifar_resnet18.pth"))
net.eval()
matrix = confusion_matrix(np.array(cifar.targets), predict_all(net, DataLoader(cifar, batch_size=100, shuffle=True)))
"""),
    "404-per-file-results-written-in-loader-order": ({"CNN404"}, EVALUATE.format(shuffle=", shuffle=True") + """
for (path, label), guess in zip(test_set.samples, predicted):
    print(path, label, guess)
"""),
    "404-compared-elementwise-with-the-targets-tensor": ({"CNN404"}, EVALUATE.format(shuffle=", shuffle=True") + """
labels = torch.tensor(test_set.targets)
print((torch.tensor(predicted) == labels).float().mean())
"""),
    "clean-404-loader-keeps-its-order": (set(), EVALUATE.format(shuffle="") + """
print(accuracy_score(test_set.targets, predicted))
"""),
    "clean-404-labels-from-the-same-batches": (set(), EVALUATE.format(shuffle=", shuffle=True") + """
print(classification_report(truth, predicted, target_names=test_set.classes))
"""),

    # -- found by the precision audit on real code (benchmarks/realworld/AUDIT.tsv, batch 3) ----------------------
    # a batch reshaped for a recurrent network: (-1, 28, 28) is (N, rows, columns), not one image
    "clean-203-batch-reshaped-with-a-leading-minus-one": (set(), RNN.format(reshape="images.reshape(-1, 28, 28)")),
    "203-image-reshaped-to-its-literal-size": ({"CNN203"}, TV + """
model = models.resnet18(weights="IMAGENET1K_V1").eval()
prep = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), """ + NORMALIZE + """])
batch = prep(Image.open("dog.jpg").convert("RGB")).unsqueeze(0)
with torch.no_grad():
    print(model(batch.reshape(3, 224, 224)).argmax(1))
"""),
    # a model of the project called once to show its output shape, before it is trained
    "clean-604-untrained-model-called-to-see-its-output-shape": (set(), SMALL_NET.format(before="""
with torch.no_grad():
    print(net(torch.zeros(1, 1, 28, 28)).shape)
""", after="")),
    "604-trained-model-evaluated-in-train-mode": ({"CNN604"}, SMALL_NET.format(before="""
from torchsummary import summary
summary(net, (1, 28, 28))  # a summary leaves the mode as it was
""", after="""
with torch.no_grad():
    print(net(next(iter(loader))[0]).argmax(1))
""")),
    # a model handed to a library's trainer, whose evaluate() switches it to eval mode itself
    "clean-604-model-handed-to-a-library-trainer": (set(), TV + """
from pytorch_accelerated import Trainer
model = models.resnet50(weights="IMAGENET1K_V2")
trainer = Trainer(model=model, loss_func=nn.CrossEntropyLoss(), optimizer=torch.optim.Adam(model.parameters()))
trainer.evaluate(dataset=None, per_device_batch_size=16)
prep = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), """ + NORMALIZE + """])
with torch.no_grad():
    print(model(prep(Image.open("dog.jpg").convert("RGB")).unsqueeze(0)).argmax(1))
"""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name, codes):
    expected, code = CASES[name]
    assert codes(code) == expected


PROJECTS = {
    "403-trained-on-one-normalisation-served-with-another": ({"CNN403", "CNN602"}, {
        "models/train.py": """
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(torchvision.datasets.CIFAR10("./data", transform=transform), batch_size=4)
net = torchvision.models.resnet50(pretrained=True)
net.fc = nn.Linear(net.fc.in_features, 10)
optimizer = torch.optim.SGD(net.parameters(), lr=0.001)
for inputs, labels in loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(net(inputs), labels).backward()
    optimizer.step()
torch.save(net.state_dict(), "./models/cifar.pth")
""",
        "app.py": """
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms
from PIL import Image
model = torchvision.models.resnet50(pretrained=False)
model.fc = nn.Linear(model.fc.in_features, 10)
model.load_state_dict(torch.load("models/cifar.pth"))
model.eval()
transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
with torch.no_grad():
    model(transform(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
""",
    }),
    "clean-403-same-preparation-in-both-files": (set(), {
        "train.py": """
import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms
from prep import transform
loader = torch.utils.data.DataLoader(torchvision.datasets.ImageFolder("data", transform=transform), batch_size=4)
net = torchvision.models.resnet18(weights="DEFAULT")
optimizer = torch.optim.SGD(net.parameters(), lr=0.001)
for inputs, labels in loader:
    optimizer.zero_grad()
    nn.functional.cross_entropy(net(inputs), labels).backward()
    optimizer.step()
torch.save({"state_dict": net.state_dict(), "epoch": 3}, "best.pth")
""",
        "prep.py": """
from torchvision import transforms
transform = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                                transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
""",
        "serve.py": """
import torch
import torchvision
from PIL import Image
from prep import transform
model = torchvision.models.resnet18()
model.load_state_dict(torch.load("best.pth")["state_dict"])
model.eval()
with torch.no_grad():
    model(transform(Image.open("a.jpg").convert("RGB")).unsqueeze(0))
""",
    }),
    "204-onnx-model-exported-here-served-with-onnxruntime": ({"CNN204", "CNN601"}, {
        "export.py": """
import torch
from torchvision import models
model = models.resnet50(pretrained=True)
model.eval()
torch.onnx.export(model, torch.randn(1, 3, 224, 224), "resnet50.onnx", input_names=["input"])
""",
        "app.py": """
import io
import onnxruntime
from PIL import Image
import torchvision.transforms as T
session = onnxruntime.InferenceSession("resnet50.onnx")
def predict(image_bytes):
    image = Image.open(io.BytesIO(image_bytes))
    tensor = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])(image).unsqueeze(0)
    return session.run(None, {"input": tensor.numpy()})[0]
""",
    }),
}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_project(name, codes):
    expected, files = PROJECTS[name]
    assert codes(files) == expected
