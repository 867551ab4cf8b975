"""The output size of a convolution or pooling layer (manual T4)."""

import math


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Output height (or width) of a conv/pool layer: O = floor((I - K + 2P) / S) + 1.

    size: input size I, kernel: kernel size K, padding: zeros added on *each* side P,
    stride: step between windows S; all Python ints. Returns the output size O as an int.
    """
    # TODO: Return floor((size - kernel + 2 * padding) / stride) + 1 as an int; // floors.
    return math.ceil((size - kernel + 2 * padding) / stride) + 1
