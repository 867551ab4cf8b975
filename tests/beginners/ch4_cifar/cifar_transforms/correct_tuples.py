"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
    )
    return transform
