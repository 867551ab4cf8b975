"""Checks for exercises/ch7_tf1/graph_mode.py (manual V1, V2, V3)."""

import numpy as np
import pytest

from grader.expect import Mistake, describe, expect_close, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

# The manual's example: x2 is the variable's initial value, x1 is fed, c = 4.
MANUAL_X1 = np.array([[1, 2], [3, 4]], dtype=np.float32)
X2_INITIAL = np.array([[1, -2], [-3, -4]], dtype=np.float32)
C = 4.0
# Worked by hand: y = [[3, 0], [3, 8]], so z = 27 + 0 + 27 + 512 + c.
MANUAL_Z = 570.0

# Graph and eager float32 kernels for the same ops; with |y| below ~20 the results differ by
# float32 rounding only (about 1e-7 relative), far below these and far below any formula slip.
RTOL, ATOL = 1e-5, 1e-4


def feeds(rng) -> list[np.ndarray]:
    """Three x1 values for one session: the manual's, a random one and the manual's doubled."""
    return [MANUAL_X1, rng.normal(size=(2, 2)).astype(np.float32), 2 * MANUAL_X1]


def eager(x1: np.ndarray) -> dict[str, np.ndarray]:
    """z and its gradients computed eagerly with GradientTape (manual F2), for comparison."""
    x1 = tf.constant(x1)
    x2 = tf.Variable(X2_INITIAL)
    with tf.GradientTape() as tape:
        tape.watch(x1)
        z = tf.reduce_sum((x1 * x1 + 2 * x2) ** 3) + C
    dz_dx1, dz_dx2 = tape.gradient(z, [x1, x2])
    return {"z": z.numpy(), "dz/dx1": dz_dx1.numpy(), "dz/dx2": dz_dx2.numpy()}


@pytest.fixture(autouse=True)
def eager_restored():
    """Turns eager execution back on if the learner's code switched the process to v1."""
    yield
    if not tf.executing_eagerly():
        tf.compat.v1.enable_v2_behavior()


def build(module, who: str):
    """module.build_graph(X2_INITIAL), with the ways of leaving eager mode recognised."""
    what = f"{who}build_graph(x2_initial)"
    try:
        parts = module.build_graph(X2_INITIAL)
    except RuntimeError as exc:
        if "eager execution" not in str(exc):
            raise
        fail(
            f"{what} to define the graph",
            f"RuntimeError: {exc}",
            "Placeholders and tf.compat.v1.gradients only exist in a graph. Create the nodes "
            "inside `with graph.as_default():`.",
            "V2",
        )
    if not tf.executing_eagerly():
        fail(
            f"eager execution to stay on after {what}",
            "the whole process switched to TF1 behaviour",
            "tf.compat.v1.disable_v2_behavior() (as in the manual) or disable_eager_execution() "
            "turns TF2 off for everything that runs afterwards, other exercises included. Build "
            "inside `with graph.as_default():` instead, which gives graph mode for those ops only.",
            "V1, V2",
        )
    if not (isinstance(parts, tuple) and len(parts) == 7):
        fail(
            f"{what} to return a ZGraph",
            describe(parts),
            "Return ZGraph(graph, x1, x2, c, z, gradients, init).",
            "V2",
        )
    return parts


def run(module, parts, x1_values: list[np.ndarray], who: str):
    """module.run_graph(parts, x1_values), with TF1's run-time errors turned into next steps."""
    what = f"{who}run_graph(parts, x1_values)"
    try:
        return module.run_graph(parts, x1_values)
    except tf.errors.FailedPreconditionError as exc:
        fail(
            f"{what} to run the graph",
            "FailedPreconditionError: " + str(exc.message).strip().splitlines()[-1][:200],
            "In TF1 a variable has no value until its initializer runs. Call "
            "sess.run(parts.init) once, right after opening the session.",
            "V2",
        )
    except tf.errors.InvalidArgumentError as exc:
        if "must feed a value for placeholder" not in str(exc):
            raise
        fail(
            f"{what} to run the graph",
            "InvalidArgumentError: You must feed a value for placeholder tensor 'x1'",
            "A placeholder has no value of its own: give one in every sess.run call, "
            "feed_dict={parts.x1: x1_value} (the placeholder itself as the key).",
            "V2",
        )
    except (ValueError, RuntimeError) as exc:
        if "not an element of this graph" not in str(exc) and "graph is empty" not in str(exc):
            raise
        fail(
            f"{what} to run the graph",
            f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
            "A Session runs one graph: the default one unless you say otherwise. Open it with "
            "tf.compat.v1.Session(graph=parts.graph).",
            "V2",
        )


def unpack(results, count: int, what: str) -> list[tuple]:
    if not (isinstance(results, list) and len(results) == count):
        fail(
            f"{what} to return a list of {count} (z, dz/dx1, dz/dx2) tuples, one per x1 value",
            describe(results),
            "Append one (z, dz_dx1, dz_dx2) per fed x1 value, all in one session.",
            "V2",
        )
    return results


def expect_v1_nodes(parts) -> None:
    """Fails unless parts holds a placeholder, a variable, a constant and tf.gradients in one graph."""
    graph, x1, x2, c, z, gradients, init = parts
    if not isinstance(graph, tf.Graph):
        fail(
            "ZGraph.graph to be a tf.Graph",
            describe(graph),
            "Return the graph you built in: graph = tf.Graph().",
            "V2",
        )
    if not hasattr(x1, "op") or x1.op.type != "Placeholder":
        kind = getattr(getattr(x1, "op", None), "type", type(x1).__name__)
        fail(
            "ZGraph.x1 to be a placeholder",
            f"a {kind} node" if hasattr(x1, "op") else describe(x1),
            "x1 is the graph's input: tf.compat.v1.placeholder(tf.float32, shape=(2, 2), "
            'name="x1"). A constant or an eager tensor fixes its value when the graph is '
            "built; a placeholder takes a new value from feed_dict at every run (V1).",
            "V2",
        )
    if not isinstance(x2, tf.Variable):
        fail(
            "ZGraph.x2 to be a variable",
            describe(x2),
            'Create it with tf.compat.v1.Variable(x2_initial, name="x2"): its value lives in '
            "the session and is set by its initializer.",
            "V2",
        )
    if not hasattr(c, "op") or c.op.type != "Const" or tf.get_static_value(c) != C:
        fail("ZGraph.c to be the constant 4", describe(c), "Create it with tf.constant(4.0).", "V3")
    for name, node in (("x1", x1), ("x2", x2), ("c", c), ("z", z), ("init", init)):
        if getattr(node, "graph", None) is not graph:
            fail(
                f"ZGraph.{name} to belong to ZGraph.graph",
                "a node of another graph" if hasattr(node, "graph") else describe(node),
                "Create every node inside one `with graph.as_default():` block, for the graph "
                "you return.",
                "V2",
            )
    if (
        not isinstance(gradients, (list, tuple))
        or len(gradients) != 2
        or any(g is None for g in gradients)
    ):
        fail(
            "ZGraph.gradients to be [dz/dx1, dz/dx2]",
            str(gradients) if isinstance(gradients, (list, tuple)) else describe(gradients),
            "tf.compat.v1.gradients(z, [x1, x2]) returns one gradient tensor per source (None for "
            "a source z does not depend on).",
            "V2",
        )
    if not isinstance(init, tf.Operation):
        fail(
            "ZGraph.init to be an operation",
            describe(init),
            "tf.compat.v1.global_variables_initializer() returns the op that initializes every "
            "variable of the graph (build it after the variables).",
            "V2",
        )


def test_build_graph_defines_v1_nodes(learner):
    """Check that build_graph makes a placeholder, a variable, a constant and tf.gradients in one graph."""
    expect_v1_nodes(build(learner, ""))


def test_run_graph_runs_the_reference_graph(learner, reference, rng):
    """Check that run_graph initializes, feeds x1 and fetches z and the gradients, on the reference's graph."""
    x1_values = feeds(rng)
    got = unpack(
        run(learner, reference.build_graph(X2_INITIAL), x1_values, ""), len(x1_values), "run_graph"
    )
    want = reference.run_graph(reference.build_graph(X2_INITIAL), x1_values)
    for index, ((z, dz_dx1, dz_dx2), (want_z, want_dx1, want_dx2)) in enumerate(zip(got, want)):
        what = f"run_graph's result {index} (x1 = {x1_values[index].round(3).tolist()})"
        expect_close(
            z,
            want_z,
            what=f"z in {what}",
            topic="V2",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(
                Mistake(
                    want[0][0],
                    "Every run gives the first run's z: feed each x1 value in its own sess.run call.",
                ),
            ),
        )
        expect_close(dz_dx1, want_dx1, what=f"dz/dx1 in {what}", topic="V2", rtol=RTOL, atol=ATOL)
        expect_close(dz_dx2, want_dx2, what=f"dz/dx2 in {what}", topic="V2", rtol=RTOL, atol=ATOL)


def test_learner_graph_matches_eager_and_reference(learner, reference, rng):
    """Check that the learner's graph gives the eager z + c and GradientTape's gradients."""
    x1_values = feeds(rng)
    parts = build(learner, "")
    expect_v1_nodes(parts)  # the reference's run_graph needs these to run the graph
    got = unpack(run(reference, parts, x1_values, "the reference's "), len(x1_values), "run_graph")
    want = reference.run_graph(reference.build_graph(X2_INITIAL), x1_values)
    swapped = "The gradients come back in the order of the sources: tf.compat.v1.gradients(z, [x1, x2]) gives dz/dx1 first."
    for index, x1_value in enumerate(x1_values):
        z, dz_dx1, dz_dx2 = got[index]
        expected = eager(x1_value)
        what = f"the graph's result for x1 = {x1_value.round(3).tolist()}"
        expect_close(
            z,
            expected["z"],
            what=f"z in {what}",
            topic="V3",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(
                Mistake(
                    expected["z"] - C,
                    "That is z without c: add the constant, z = tf.reduce_sum(y**3) + c.",
                ),
            ),
        )
        expect_close(
            dz_dx1,
            expected["dz/dx1"],
            what=f"dz/dx1 in {what}",
            topic="V2",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(Mistake(expected["dz/dx2"], swapped),),
        )
        expect_close(
            dz_dx2,
            expected["dz/dx2"],
            what=f"dz/dx2 in {what}",
            topic="V2",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(Mistake(expected["dz/dx1"], swapped),),
        )
        expect_close(z, want[index][0], what=f"z in {what}", topic="V3", rtol=RTOL, atol=ATOL)
    expect_close(
        got[0][0],
        MANUAL_Z,
        what="z for the manual's x1 and x2, plus c = 4",
        topic="V3",
        rtol=RTOL,
        atol=ATOL,
    )
