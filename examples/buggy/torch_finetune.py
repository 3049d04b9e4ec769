"""Fine-tuning a torchvision ResNet: one augmenting transform without Normalize for both splits,
and validation in training mode (CNN601, CNN604, CNN605)."""
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms

transform = transforms.Compose([
    transforms.RandomResizedCrop(224),
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
])
train_loader = DataLoader(datasets.ImageFolder("flowers/train", transform), batch_size=32, shuffle=True)
val_loader = DataLoader(datasets.ImageFolder("flowers/val", transform), batch_size=32)

model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2)
model.fc = nn.Linear(model.fc.in_features, 5)
optimizer = torch.optim.Adam(model.fc.parameters(), lr=1e-3)


def evaluate(loader):
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(1) == labels).sum().item()
    return correct


for epoch in range(5):
    for images, labels in train_loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    print(epoch, evaluate(val_loader))
