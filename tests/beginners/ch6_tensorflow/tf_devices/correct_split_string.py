"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use."""
    gpus = tf.config.experimental.list_physical_devices(device_type="GPU")
    names = []
    for gpu in gpus:
        names.append(gpu.name)
    return names


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on."""
    # "/job:localhost/replica:0/task:0/device:CPU:0" -> "device:CPU:0" -> "CPU"
    last = tensor.device.split("/")[-1]
    return last.split(":")[1]
