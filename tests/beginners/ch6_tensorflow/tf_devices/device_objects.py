"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use."""
    # the manual: a non-empty list means a GPU is there (F10)
    return tf.config.list_physical_devices("GPU")


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on."""
    return tf.DeviceSpec.from_string(tensor.device).device_type
