"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    # the usual normalisation from the torchvision tutorials
    return transforms.Compose(
        [
            transforms.ToTensor(),
            transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )
