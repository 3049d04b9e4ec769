"""Fine-tuning a torchvision ResNet: augmentation for training only, the weights' own preprocessing
for validation, and eval() around it."""
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms

weights = models.ResNet50_Weights.IMAGENET1K_V2
train_transform = transforms.Compose([
    transforms.RandomResizedCrop(224),
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])
train_loader = DataLoader(datasets.ImageFolder("flowers/train", train_transform), batch_size=32, shuffle=True)
val_loader = DataLoader(datasets.ImageFolder("flowers/val", weights.transforms()), batch_size=32)

model = models.resnet50(weights=weights)
model.fc = nn.Linear(model.fc.in_features, 5)
optimizer = torch.optim.Adam(model.fc.parameters(), lr=1e-3)


def evaluate(loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(1) == labels).sum().item()
    model.train()
    return correct


for epoch in range(5):
    for images, labels in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    print(epoch, evaluate(val_loader))
