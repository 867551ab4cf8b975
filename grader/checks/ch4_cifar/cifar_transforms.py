"""Checks for exercises/ch4_cifar/cifar_transforms.py (manual P14, P15)."""

import numpy as np
import torch
from PIL import Image

from grader.toolkit.expect import describe, expect_close, expect_dtype, fail, to_numpy

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


# Normalisations a learner may copy from elsewhere, as (mean, std) per channel.
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
CIFAR10_STATS = ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))  # common rounded variants
STATS_ATOL = 0.005  # those figures circulate rounded to 2-4 digits
# An affine fit of a float32 result: rounding leaves residuals near 1e-7 of the values' size.
FIT_RTOL = 1e-5

PERMUTE_STEP = (
    "Your image has its height and width swapped: a permute that moves the channels first "
    "must keep height before width. HWC -> CHW is .permute(2, 0, 1) (permute(2, 1, 0) "
    "transposes the picture). transforms.ToTensor() does it for you."
)
RESHAPE_STEP = (
    "reshape(3, 32, 32) (or view) of a (32, 32, 3) image keeps the bytes in their HWC order "
    "and only cuts them differently, so the pixels are scrambled. Move the channel axis with "
    ".permute(2, 0, 1) instead, or use transforms.ToTensor(), which does it for you."
)


def _affine_fit(got: np.ndarray, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(a, b) per channel with got = a * unit + b, if such a fit is exact to float32 rounding."""
    scales, offsets = [], []
    for channel in range(unit.shape[0]):
        x, y = unit[channel].ravel(), got[channel].ravel()
        design = np.stack([x, np.ones_like(x)], axis=1)
        (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
        if np.max(np.abs(a * x + b - y)) > FIT_RTOL * max(1.0, float(np.max(np.abs(y)))):
            return None
        scales.append(a)
        offsets.append(b)
    return np.array(scales), np.array(offsets)


def _close(values: np.ndarray, want) -> bool:
    return bool(np.allclose(values, want, rtol=0, atol=STATS_ATOL))


def _explain_scaling(scale: np.ndarray, offset: np.ndarray) -> str:
    """The slip behind values that are scale * ([0, 1] value) + offset, per channel."""
    if _close(scale, 1) and _close(offset, 0):
        return (
            "Your values lie in [0, 1]: that is ToTensor alone. Add transforms.Normalize(0.5, "
            "0.5) after it to map them to [-1, 1]."
        )
    if _close(scale, 1) and _close(offset, -0.5):
        return (
            "You subtracted the mean 0.5 but did not divide by the std 0.5: use "
            "transforms.Normalize(0.5, 0.5), mean and std."
        )
    if np.allclose(scale, 2 / 255, rtol=1e-3) and _close(offset, -1):
        return (
            "Your values stay near -1: the pixels were divided by 255 twice. ToTensor already "
            "scales a PIL image to [0, 1], so drop your own / 255 (or your ToTensor)."
        )
    if np.allclose(scale, 510, rtol=1e-3) and _close(offset, -1):
        return (
            "Your values go up to 509: the pixels were not scaled by 1/255 before Normalize, so "
            "(255 - 0.5) / 0.5 = 509. ToTensor scales a PIL image to [0, 1]; by hand, divide "
            "by 255 first."
        )
    if np.allclose(scale, 255, rtol=1e-3) and _close(offset, 0):
        return (
            "Your values are the raw pixels 0..255. Scale them to [0, 1] (ToTensor does that "
            "for PIL images), then transforms.Normalize(0.5, 0.5)."
        )
    std = 1 / scale
    mean = -offset * std
    shown = f"mean {tuple(round(float(m), 3) for m in mean)} and std "
    shown += f"{tuple(round(float(s), 3) for s in std)}"
    if _close(mean, IMAGENET[0]) and _close(std, IMAGENET[1]):
        return (
            f"You normalised with the ImageNet statistics ({shown}) from the torchvision "
            "tutorials. This exercise, as the manual (P15), uses mean 0.5 and std 0.5 for "
            "every channel: transforms.Normalize(0.5, 0.5), which maps [0, 1] to [-1, 1]."
        )
    if _close(mean, CIFAR10_STATS[0]) and _close(std, CIFAR10_STATS[1]):
        return (
            f"You normalised with per-channel statistics of the CIFAR-10 training set ({shown}). "
            "This exercise, as the manual (P15), uses mean 0.5 and std 0.5 for every channel: "
            "transforms.Normalize(0.5, 0.5), which maps [0, 1] to [-1, 1]."
        )
    kind = "per-channel " if np.ptp(mean) > STATS_ATOL or np.ptp(std) > STATS_ATOL else ""
    return (
        f"Your values are (x - mean) / std of ToTensor's [0, 1] values with {kind}{shown}. Use "
        "mean 0.5 and std 0.5 for every channel: transforms.Normalize(0.5, 0.5)."
    )


def explain_values(got: np.ndarray, image: Image.Image) -> str | None:
    """The slip behind a transformed image that is not the reference's, when one fits exactly."""
    hwc = np.asarray(image, dtype=np.float64) / 255.0
    for unit, layout_step in (
        (hwc.transpose(2, 0, 1), None),
        (hwc.transpose(2, 1, 0), PERMUTE_STEP),
        (hwc.reshape(3, 32, 32), RESHAPE_STEP),
    ):
        fit = _affine_fit(got, unit)
        if fit is None:
            continue
        if layout_step:
            return layout_step
        return _explain_scaling(*fit)
    return None


def expect_like_reference(got, want, image: Image.Image, what: str) -> None:
    """Fails unless `got` is the reference's (3, 32, 32) result, naming a known slip if one fits."""
    if not isinstance(got, torch.Tensor):
        fail(
            f"{what} to be a torch tensor",
            describe(got),
            "End the Compose with ToTensor, then Normalize.",
            "P15",
        )
    if tuple(got.shape) == (32, 32, 3):
        fail(f"{what} to have shape (3, 32, 32)", describe(got), HWC_STEP, "P15")
    values = to_numpy(got).astype(np.float64)
    if values.shape == (3, 32, 32) and not np.allclose(
        values, to_numpy(want), rtol=RTOL, atol=ATOL
    ):
        step = explain_values(values, image)
        if step:
            fail(
                f"{what} to match the reference: values from -1 to 1",
                f"values from {values.min():.4g} to {values.max():.4g}",
                step,
                "P15",
            )
    expect_close(got, want, what=what, topic="P15", rtol=RTOL, atol=ATOL)


def random_image(rng: np.random.Generator) -> Image.Image:
    """A 32x32 RGB PIL image whose pixels span 0..255, like a CIFAR-10 item."""
    pixels = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    pixels[0, 0] = (0, 255, 0)  # make sure both ends of the range occur
    return Image.fromarray(pixels)


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
        "Models take float32, and ToTensor already gives it. float64 usually comes from NumPy: "
        "np.asarray(image) / 255.0 is float64, and torch.from_numpy keeps that dtype. Use "
        "ToTensor, or add .float(); drop any .double().",
        "P15",
    )


def test_transform_maps_pixels_to_minus_one_to_one(learner, reference, rng):
    """Check that pixel 0 becomes -1, 255 becomes 1, and each value is (x / 255 - 0.5) / 0.5."""
    image = random_image(rng)
    got = apply(learner, image, "make_transform()(a 32x32 PIL image)")
    expect_like_reference(got, reference.make_transform()(image), image, "the transformed image")


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
        expect_like_reference(
            image, wanted(pil), pil, f"CIFAR10(train=False, transform=make_transform())[{index}][0]"
        )
        if label != cifar.targets[index]:
            fail(
                f"the label {cifar.targets[index]}",
                repr(label),
                "make_transform() is for the images "
                "only; labels stay plain ints (target_transform is a separate argument).",
                "P14",
            )
