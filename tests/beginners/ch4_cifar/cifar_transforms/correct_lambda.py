"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    # (x - 0.5) / 0.5 is the same as 2x - 1
    return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: 2 * x - 1)])
