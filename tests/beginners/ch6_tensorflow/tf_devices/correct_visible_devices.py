"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use."""
    # the GPUs TF may use (all of them unless set_visible_devices hid some)
    return [gpu.name for gpu in tf.config.get_visible_devices("GPU")]


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on."""
    return tf.DeviceSpec.from_string(tensor.device).device_type
