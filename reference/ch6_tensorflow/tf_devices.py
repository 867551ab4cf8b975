"""Which GPUs TensorFlow sees, and where a tensor was placed (manual F10)."""

import tensorflow as tf


def visible_gpus() -> list[str]:
    """The names of the GPUs TensorFlow can use.

    Returns a list of str such as ['/physical_device:GPU:0']; [] on a machine without a GPU
    (or with a CPU-only TensorFlow build).
    """
    # TODO: List the physical devices of type "GPU" with tf.config.list_physical_devices and
    #   return their .name values.
    ### BEGIN SOLUTION
    # tf.test.is_gpu_available() is deprecated and only says yes or no.
    return [device.name for device in tf.config.list_physical_devices("GPU")]
    ### END SOLUTION


def placement_of(tensor: tf.Tensor) -> str:
    """The kind of device a tensor lives on.

    tensor: an eager tf.Tensor; its .device is a string such as
    '/job:localhost/replica:0/task:0/device:CPU:0'.
    Returns the device type from that string: 'CPU' or 'GPU'.
    """
    # TODO: Parse tensor.device with tf.DeviceSpec.from_string and return its .device_type.
    ### BEGIN SOLUTION
    return tf.DeviceSpec.from_string(tensor.device).device_type
    ### END SOLUTION
