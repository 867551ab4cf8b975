"""Mutants of cifar_transforms (ch4_cifar): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

COMPOSE = "return transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])"
IMPORT_TRANSFORMS = "from torchvision import transforms"
WITH_NUMPY = "import numpy as np\nimport torch\nfrom torchvision import transforms"

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("ToTensor without the call",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor, transforms.Normalize(0.5, 0.5)])")],
          check="transform_gives_chw_float32", status="error",
          message="`transforms.ToTensor` is the class ToTensor itself, not an object made from it",
          must_not=("fault of the kit",)),

    wrong("no Normalize", [(COMPOSE, "return transforms.Compose([transforms.ToTensor()])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="values lie in [0, 1]"),
    wrong("HWC from torch.from_numpy without permute",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255)),\n        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_gives_chw_float32", message="PyTorch wants channels first"),
    wrong("Normalize before ToTensor",
          [(COMPOSE, "return transforms.Compose([transforms.Normalize(0.5, 0.5), transforms.ToTensor()])")],
          check="transform_gives_chw_float32", message="Put transforms.ToTensor() first"),
    wrong("PILToTensor keeps uint8",
          [(COMPOSE, "return transforms.Compose([transforms.PILToTensor(), transforms.Normalize(0.5, 0.5)])")],
          check="transform_gives_chw_float32", message="PILToTensor keeps the uint8"),
    wrong("std 1 instead of 0.5",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 1.0)])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="did not divide by the std"),
    correct("Lambda instead of Normalize",
            [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 2 - 1)])")]),
    correct("per-channel Normalize",
            [(COMPOSE, "return transforms.Compose(\n        [transforms.ToTensor(), "
                       "transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]\n    )")]),
    correct("by hand with permute in a Lambda",
            [(IMPORT_TRANSFORMS, WITH_NUMPY),
             (COMPOSE, "return transforms.Lambda(\n        lambda image: torch.from_numpy(np.asarray(image, "
                       "dtype=np.float32)).permute(2, 0, 1) / 127.5 - 1\n    )")]),
    # Promoted from the beginner set (tests/beginners/ch4_cifar): cifar_transforms
    wrong("ImageNet mean and std",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                     "(0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="ImageNet statistics"),
    wrong("CIFAR-10's own per-channel statistics",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                     "(0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261))])")],
          check="transform_works_as_cifar10_transform", message="per-channel statistics of the CIFAR-10"),
    wrong("scaled by 255 twice",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x / 255), "
                     "transforms.Normalize(0.5, 0.5)])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="divided by 255 twice"),
    wrong("not scaled by 1/255 before Normalize",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.array(image)).permute(2, 0, 1).float()),\n        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="not scaled by 1/255"),
    wrong("permute(2, 1, 0) swaps height and width",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255).permute(2, 1, 0)),\n"
                     "        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="permute(2, 0, 1)"),
    wrong("reshape instead of permute",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255).reshape(3, 32, 32)),\n"
                     "        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="reshape(3, 32, 32)"),
    wrong("float64 from NumPy",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Lambda(\n        lambda image: torch.from_numpy(np.asarray(image)"
                     ".transpose(2, 0, 1) / 127.5 - 1)\n    )")],
          check="transform_gives_chw_float32", message="float64 usually comes from NumPy"),
]
