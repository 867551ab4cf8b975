"""Checks for exercises/ch4_cifar/cifar_transforms.py (manual P14, P15)."""

import numpy as np
import torch
from PIL import Image

from grader.expect import Mistake, describe, expect_close, expect_dtype, fail

# ToTensor divides by 255 in float32, Normalize subtracts and divides in float32: equivalent
# formulas (a Lambda computing x / 127.5 - 1, say) differ by a few float32 ulps near 1, about
# 1e-7. Any real slip ([0, 1] range, another mean or std) is off by 0.1 or more.
RTOL, ATOL = 1e-6, 1e-6
CIFAR_IMAGES = 8  # test images pushed through the transform; enough to see every pixel value range

HWC_STEP = (
    "That is the image's (height, width, channels) layout. PyTorch wants channels first, "
    "(3, 32, 32): transforms.ToTensor() turns a PIL image into CHW for you; if you convert "
    "by hand, add .permute(2, 0, 1)."
)


def random_image(rng: np.random.Generator) -> Image.Image:
    """A 32x32 RGB PIL image whose pixels span 0..255, like a CIFAR-10 item."""
    pixels = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    pixels[0, 0] = (0, 255, 0)  # make sure both ends of the range occur
    return Image.fromarray(pixels)


def to_unit_range(image: Image.Image) -> np.ndarray:
    """What ToTensor alone gives: CHW float in [0, 1]."""
    return np.asarray(image, dtype=np.float64).transpose(2, 0, 1) / 255.0


def apply(learner, image: Image.Image, what: str) -> torch.Tensor:
    """learner.make_transform()(image), with the known ways it can blow up explained."""
    transform = learner.make_transform()
    if not callable(transform):
        fail(
            "make_transform() to return a callable transform",
            describe(transform),
            "Return transforms.Compose([...]) itself; CIFAR10 calls it on every image.",
            "P15",
        )
    try:
        out = transform(image)
    except TypeError as exc:
        if "Tensor Image" in str(exc):
            fail(
                f"{what} to run",
                f"TypeError: {exc}",
                "Normalize works on tensors only, and Compose runs its list in order. Put "
                "transforms.ToTensor() first and transforms.Normalize(0.5, 0.5) after it.",
                "P15",
            )
        if "float tensor" in str(exc):
            fail(
                f"{what} to run",
                f"TypeError: {exc}",
                "PILToTensor keeps the uint8 pixels 0..255 and Normalize needs floats. Use "
                "transforms.ToTensor(), which also scales to [0, 1].",
                "P15",
            )
        raise
    if not isinstance(out, torch.Tensor):
        fail(
            f"{what} to be a torch tensor",
            describe(out),
            "End the Compose with tensor transforms: ToTensor, then Normalize.",
            "P15",
        )
    return out


def test_transform_gives_chw_float32(learner, rng):
    """Check that the transform turns a 32x32 PIL image into a (3, 32, 32) float32 tensor."""
    out = apply(learner, random_image(rng), "make_transform()(a 32x32 PIL image)")
    if tuple(out.shape) == (32, 32, 3):
        fail("a tensor of shape (3, 32, 32)", describe(out), HWC_STEP, "P15")
    if tuple(out.shape) != (3, 32, 32):
        fail(
            "a tensor of shape (3, 32, 32)",
            describe(out),
            "Use transforms.ToTensor(); it keeps the image size and moves the channels first.",
            "P15",
        )
    if out.dtype == torch.uint8:
        fail(
            "dtype torch.float32",
            describe(out),
            "PILToTensor keeps uint8 0..255; ToTensor gives "
            "float32 in [0, 1], which Normalize then maps to [-1, 1].",
            "P15",
        )
    expect_dtype(
        out,
        torch.float32,
        "the transformed image",
        "Models take float32; ToTensor already gives it, so drop any .double() or dtype change.",
        "P15",
    )


def test_transform_maps_pixels_to_minus_one_to_one(learner, reference, rng):
    """Check that pixel 0 becomes -1, 255 becomes 1, and each value is (x / 255 - 0.5) / 0.5."""
    image = random_image(rng)
    got = apply(learner, image, "make_transform()(a 32x32 PIL image)")
    unit = to_unit_range(image)
    expect_close(
        got,
        reference.make_transform()(image),
        what="the transformed image",
        topic="P15",
        rtol=RTOL,
        atol=ATOL,
        mistakes=(
            Mistake(unit.transpose(1, 2, 0), HWC_STEP),
            Mistake(
                unit,
                "Your values lie in [0, 1]: that is ToTensor alone. Add "
                "transforms.Normalize(0.5, 0.5) after it to map them to [-1, 1].",
            ),
            Mistake(
                unit - 0.5,
                "You subtracted the mean 0.5 but did not "
                "divide by the std 0.5: use transforms.Normalize(0.5, 0.5), mean and std.",
            ),
            Mistake(
                lambda g: g.min() >= -1e-6 and g.max() > 1.5,
                "Your values go above 1: the pixels "
                "were not scaled by 1/255 first. ToTensor does that scaling for PIL images.",
            ),
        ),
    )


def test_transform_works_as_cifar10_transform(learner, reference, rng, datasets):
    """Check that CIFAR10(transform=make_transform()) gives the reference's tensors."""
    # Learner code runs on a synthetic image first: a stub that is not started loads no data.
    apply(learner, random_image(rng), "make_transform()(a 32x32 PIL image)")
    cifar = datasets.cifar10(train=False)
    cifar.transform = learner.make_transform()
    wanted = reference.make_transform()
    for index in range(CIFAR_IMAGES):
        image, label = cifar[index]
        pil = Image.fromarray(cifar.data[index])
        expect_close(
            image,
            wanted(pil),
            what=f"CIFAR10(train=False, transform=make_transform())[{index}][0]",
            topic="P15",
            rtol=RTOL,
            atol=ATOL,
        )
        if label != cifar.targets[index]:
            fail(
                f"the label {cifar.targets[index]}",
                repr(label),
                "make_transform() is for the images "
                "only; labels stay plain ints (target_transform is a separate argument).",
                "P14",
            )
