"""Transforms that turn CIFAR-10's PIL images into normalised CHW tensors (manual P14, P15)."""

from torchvision import transforms

# per-channel mean and std of the CIFAR-10 training set (found online)
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


def make_transform() -> transforms.Compose:
    """The preprocessing to pass as torchvision.datasets.CIFAR10(..., transform=...)."""
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(CIFAR_MEAN, CIFAR_STD)])
