"""TF1 graph mode through tf.compat.v1: define the graph, then run it (manual V1, V2, V3)."""

from typing import NamedTuple

import numpy as np
import tensorflow as tf


class ZGraph(NamedTuple):
    """The graph of z = sum((x1*x1 + 2*x2)**3) + c and the nodes needed to run it."""

    graph: tf.Graph
    x1: tf.Tensor  # a placeholder: its value is fed at run time
    x2: tf.Variable  # a variable: its value is set by running its initializer
    c: tf.Tensor  # the constant 4
    z: tf.Tensor
    gradients: list  # [dz/dx1, dz/dx2]
    init: tf.Operation  # runs every variable's initializer


def build_graph(x2_initial: np.ndarray) -> ZGraph:
    """Define (but do not run) the manual's z example plus a constant c = 4, in a new tf.Graph.

    x2_initial: float32 array of shape (2, 2), x2's initial value.
    Returns a ZGraph: x1 is a float32 placeholder of shape (2, 2) named "x1", x2 a
    tf.compat.v1.Variable named "x2", c = tf.constant(4.0), y = x1*x1 + 2*x2,
    z = sum(y**3) + c, gradients = [dz/dx1, dz/dx2], init the variables' initializer.
    Eager execution stays on for the rest of the process.
    """
    graph = tf.Graph()
    with graph.as_default():
        x1 = tf.compat.v1.placeholder(tf.float32, shape=(2, 2), name="x1")
        x2 = tf.compat.v1.Variable(x2_initial, name="x2")
        c = tf.constant(4.0)
        y = x1 * x1 + 2 * x2
        z = tf.reduce_sum(y**3) + c
        gradients = tf.compat.v1.gradients(z, [x1, x2])
        init = tf.compat.v1.global_variables_initializer()
    return ZGraph(graph, x1, x2, c, z, gradients, init)


def run_graph(
    parts: ZGraph, x1_values: list[np.ndarray]
) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Run the graph once per x1 value, in one tf.compat.v1.Session.

    parts: a ZGraph from build_graph. x1_values: float32 arrays of shape (2, 2).
    Returns one (z, dz/dx1, dz/dx2) per x1 value: z a float, the gradients float32 arrays of
    shape (2, 2).
    """
    results = []
    with tf.compat.v1.Session(graph=parts.graph) as sess:
        sess.run(parts.init)
        for x1_value in x1_values:
            z, grads = sess.run([parts.z, parts.gradients], feed_dict={parts.x1: x1_value})
            results.append((z, grads[0], grads[1]))
    return results
