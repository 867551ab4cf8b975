"""The output size of a convolution or pooling layer (manual T4)."""


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Output height (or width) of a conv/pool layer: O = floor((I - K + 2P) / S) + 1.

    size: input size I, kernel: kernel size K, padding: zeros added on *each* side P,
    stride: step between windows S; all Python ints. Returns the output size O as an int.
    """
    return size - kernel + 2 * padding // stride + 1
