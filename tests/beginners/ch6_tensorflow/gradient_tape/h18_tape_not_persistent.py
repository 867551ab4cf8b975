"""Gradients with tf.GradientTape, including a persistent tape (manual F2, P2, E11)."""

import tensorflow as tf


def z_and_gradients(x1: list, x2: list) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The manual's example y = x1*x1 + 2*x2, z = sum(y**3), and z's gradients from a tape.

    x1, x2: nested lists of numbers (ints allowed) of the same shape, e.g. [[1, 2], [3, 4]].
    Returns (z, dz/dx1, dz/dx2): z is a float32 tensor of shape (); the two gradients are
    float32 tensors of x1's shape.
    """
    x1 = tf.Variable(x1, dtype=tf.float32)
    x2 = tf.Variable(x2, dtype=tf.float32)
    with tf.GradientTape() as tape:
        y = x1 * x1 + 2 * x2
        z = tf.reduce_sum(y**3)
    dz_dx1, dz_dx2 = tape.gradient(z, [x1, x2])
    return z, dz_dx1, dz_dx2


def gradients_from_one_tape(x1: tf.Tensor, x2: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """dz/dx1 and dz/dy for the same example, from one persistent tape over constant inputs.

    x1, x2: float32 tf.Tensors (tf.constant, not tf.Variable) of the same shape.
    Returns (dz/dx1, dz/dy): float32 tensors of x1's shape, dz/dx1 = 6*y**2*x1, dz/dy = 3*y**2.
    """
    with tf.GradientTape() as tape:
        tape.watch(x1)
        y = x1 * x1 + 2 * x2
        z = tf.reduce_sum(y**3)
    dz_dx1 = tape.gradient(z, x1)
    dz_dy = tape.gradient(z, y)
    return dz_dx1, dz_dy
