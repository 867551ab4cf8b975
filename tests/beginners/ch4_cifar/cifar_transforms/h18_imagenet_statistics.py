"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...).

    The returned callable takes one PIL image of 32x32 RGB pixels (what CIFAR10[i] gives back,
    stored as (32, 32, 3) uint8 in 0..255) and returns a float32 tensor of shape (3, 32, 32)
    (channels first) with values in [-1, 1]: pixel / 255, then (x - 0.5) / 0.5.
    """
    return transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
