"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use."""
    return [tf.test.gpu_device_name()]


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on."""
    return tf.DeviceSpec.from_string(tensor.device).device_type
