"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    # subtract the mean 0.5 so the values are centred on 0
    return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x - 0.5)])
