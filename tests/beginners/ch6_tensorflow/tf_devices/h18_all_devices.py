"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use.

    Returns a list of str such as ['/physical_device:GPU:0']; [] on a machine without a GPU
    (or with a CPU-only TensorFlow build).
    """
    devices = tf.config.list_physical_devices()
    return [d.name for d in devices]


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on.

    tensor: an eager tf.Tensor; its .device is a string such as
    '/job:localhost/replica:0/task:0/device:CPU:0'.
    Returns the device type from that string: 'CPU' or 'GPU'.
    """
    return tf.DeviceSpec.from_string(tensor.device).device_type
