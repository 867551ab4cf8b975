"""Checks for exercises/ch7_tf1/graph_mode.py (manual V1, V2, V3)."""

import re

import numpy as np
import pytest

from grader.toolkit.expect import Mistake, Slip, describe, expect_close, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

SLIPS = (
    Slip(
        error=TypeError,
        says=r"Iterating over a symbolic `tf\.Tensor` is not allowed",
        code=r"(?<![\w.])sum\(",
        explanation="Python's built-in sum() loops over the tensor, and a graph tensor has no "
        "values to loop over before the session runs it (eagerly, sum() would only add up the "
        "rows). Sum every element with TF: z = tf.reduce_sum(y**3) + c.",
        topic="V1, V3",
    ),
    Slip(
        error=TypeError,
        says=r"Cannot interpret feed_dict key as Tensor",
        code=r"""\{\s*['"]""",
        explanation="feed_dict's keys are the placeholders themselves: feed_dict={parts.x1: "
        "x1_value}. A string key must be a tensor's full name, 'x1:0' (the operation's name, "
        "then the output's index); 'x1' alone names the operation.",
        topic="V2",
    ),
    Slip(
        error=AttributeError,
        says=r"'SymbolicTensor' object has no attribute 'numpy'",
        code=r"\.numpy\(",
        explanation="parts.z and parts.gradients are nodes of the graph: they have no value of "
        "their own, so .numpy() fails. In TF1 the values come back from sess.run: use what "
        "sess.run([parts.z, parts.gradients], feed_dict=...) returns, NumPy values already.",
        topic="V1, V2",
    ),
)

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


def uninitialized_line(message: str) -> str:
    """The line of a FailedPreconditionError that names the variable without a value."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if re.search(r"uninitiali[sz]ed|Could not find variable|not initialized", line):
            return line[:200]
    return (lines[-1] if lines else message)[:200]


def run(module, parts, x1_values: list[np.ndarray], who: str):
    """module.run_graph(parts, x1_values), with TF1's run-time errors turned into next steps."""
    what = f"{who}run_graph(parts, x1_values)"
    try:
        return module.run_graph(parts, x1_values)
    except tf.errors.FailedPreconditionError as exc:
        fail(
            f"{what} to run the graph",
            "FailedPreconditionError: " + uninitialized_line(str(exc.message)),
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
    """Fails unless results is a list of (z, dz/dx1, dz/dx2): a number, then two float32 arrays."""
    if not (isinstance(results, list) and len(results) == count):
        fail(
            f"{what} to return a list of {count} (z, dz/dx1, dz/dx2) tuples, one per x1 value",
            describe(results),
            "Append one (z, dz_dx1, dz_dx2) per fed x1 value, all in one session.",
            "V2",
        )
    for index, result in enumerate(results):
        expected = f"{what}'s result {index} to be a (z, dz/dx1, dz/dx2) tuple"
        if (
            isinstance(result, (list, tuple))
            and len(result) == 2
            and isinstance(result[1], (list, tuple))
            and len(result[1]) == 2
        ):
            fail(
                expected,
                f"a {type(result).__name__} [z, [dz/dx1, dz/dx2]], nested as sess.run returns it",
                "sess.run([parts.z, parts.gradients], ...) returns its fetches' structure, "
                "[z, [dz/dx1, dz/dx2]]. Unpack it and append a flat tuple: z, (dz_dx1, dz_dx2) = "
                "sess.run(...), then results.append((float(z), dz_dx1, dz_dx2)).",
                "V2",
            )
        if not (isinstance(result, (list, tuple)) and len(result) == 3):
            fail(expected, describe(result), "Append one (z, dz_dx1, dz_dx2) per x1 value.", "V2")
        z, *gradients = result
        if not isinstance(z, (float, np.floating)) and np.shape(z) != ():
            fail(
                f"z in {what}'s result {index} to be a float",
                describe(z) if not isinstance(z, list) else f"a list of {len(z)}",
                "sess.run(parts.z, ...) returns z itself; sess.run([parts.z], ...) a list "
                "holding it. Append float(z).",
                "V2",
            )
        for name, gradient in zip(("dz/dx1", "dz/dx2"), gradients, strict=True):
            if not (
                isinstance(gradient, np.ndarray)
                and gradient.dtype == np.float32
                and gradient.shape == (2, 2)
            ):
                fail(
                    f"{name} in {what}'s result {index} to be a float32 array of shape (2, 2)",
                    describe(gradient),
                    "Append the arrays sess.run returns for parts.gradients as they are.",
                    "V2",
                )
    return results


def initializes(init, variable) -> bool:
    """Whether running `init` runs the variable's initializer (through inputs or control deps)."""
    target, seen, stack = variable.initializer, set(), [init]
    while stack:
        op = stack.pop()
        if op is target:
            return True
        if op.name not in seen:
            seen.add(op.name)
            stack.extend(op.control_inputs)
            stack.extend(tensor.op for tensor in op.inputs)
    return False


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
    if not x1.shape.is_compatible_with((2, 2)):
        fail(
            "ZGraph.x1 to be a placeholder for (2, 2) values",
            f"a placeholder of shape {x1.shape}",
            'tf.compat.v1.placeholder(tf.float32, shape=(2, 2), name="x1"): the shape must '
            "match the x1 values fed to it (or be left out).",
            "V2",
        )
    if x1.dtype != tf.float32:
        fail(
            "ZGraph.x1 to be a float32 placeholder",
            f"a {x1.dtype.name} placeholder",
            'tf.compat.v1.placeholder(tf.float32, shape=(2, 2), name="x1"): its dtype must match '
            "what is fed and x2's float32.",
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
    for name, node, create in (
        ("x1", x1, 'tf.compat.v1.placeholder(tf.float32, shape=(2, 2), name="x1")'),
        ("x2", x2, 'tf.compat.v1.Variable(x2_initial, name="x2")'),
    ):
        given = node.name.split(":")[0]
        if given.split("/")[-1] != name:
            fail(
                f'ZGraph.{name} to be named "{name}"',
                f"the name {given!r}",
                f'Pass name="{name}": {create}. TF1 code finds nodes by name (a feed_dict key '
                f'"{name}:0", checkpoints, TensorBoard), and without one TF makes one up.',
                "V2",
            )
    if hasattr(z, "shape") and z.shape.rank not in (None, 0):
        fail(
            "ZGraph.z to be a single number (shape ())",
            f"a tensor of shape {z.shape}",
            "z sums y³ over every element: z = tf.reduce_sum(y**3) + c.",
            "V3",
        )
    if not hasattr(c, "op") or c.op.type != "Const" or tf.get_static_value(c) != C:
        fail("ZGraph.c to be the constant 4", describe(c), "Create it with tf.constant(4.0).", "V3")
    for name, node in (("x1", x1), ("x2", x2), ("c", c), ("z", z), ("init", init)):
        if getattr(node, "graph", None) is not graph:
            empty = not graph.get_operations()
            fail(
                f"ZGraph.{name} to belong to ZGraph.graph",
                ("a node of another graph" if hasattr(node, "graph") else describe(node))
                + (", while ZGraph.graph has no nodes at all" if empty else ""),
                "Create every node inside one `with graph.as_default():` block, for the graph "
                "you return"
                + (
                    ": `with tf.Graph().as_default():` makes a second, new graph, and the one "
                    "you return stays empty."
                    if empty and isinstance(getattr(node, "graph", None), tf.Graph)
                    else "."
                ),
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
    if not initializes(init, x2):
        operations = graph.get_operations()
        early = operations.index(init) < operations.index(x2.op)
        fail(
            "ZGraph.init to run x2's initializer",
            "an init that leaves x2 without a value" + (", created before x2 was" if early else ""),
            "global_variables_initializer() covers the variables that exist when it is called: "
            "call it after creating x2, as the last node."
            if early
            else "Make init with tf.compat.v1.global_variables_initializer(), after the variables.",
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
    of_y = (
        "That is the gradient of y, not of z: tf.compat.v1.gradients(y, [x1, x2]) sums y's "
        "elements and differentiates that (2·x1 and 2). The target is z: "
        "tf.compat.v1.gradients(z, [x1, x2])."
    )
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
                Mistake(
                    (expected["z"] - C) / x1_value.size + C,
                    "That is the mean of y³ plus c; z is the sum: tf.reduce_sum(y**3) + c.",
                ),
                Mistake(
                    expected["z"] + C * (x1_value.size - 1),
                    f"That is c added to each of the {x1_value.size} elements before the sum, "
                    "tf.reduce_sum(y**3 + c). c is added once, to the sum: "
                    "tf.reduce_sum(y**3) + c.",
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
            mistakes=(Mistake(expected["dz/dx2"], swapped), Mistake(2 * x1_value, of_y)),
        )
        expect_close(
            dz_dx2,
            expected["dz/dx2"],
            what=f"dz/dx2 in {what}",
            topic="V2",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(
                Mistake(expected["dz/dx1"], swapped),
                Mistake(np.full((2, 2), 2.0), of_y),
            ),
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


def test_run_graph_opens_one_session(learner, reference, rng, monkeypatch):
    """Check that run_graph runs every x1 value in one tf.compat.v1.Session."""
    opened = []
    original = tf.compat.v1.Session.__init__

    def counting_init(self, *args, **kwargs):
        opened.append(self)
        original(self, *args, **kwargs)

    # Patched on the class, so it counts however the learner's code names the Session.
    monkeypatch.setattr(tf.compat.v1.Session, "__init__", counting_init)
    x1_values = feeds(rng)
    unpack(
        run(learner, reference.build_graph(X2_INITIAL), x1_values, ""), len(x1_values), "run_graph"
    )
    if len(opened) > 1:
        fail(
            f"run_graph(parts, x1_values) to run its {len(x1_values)} x1 values in one session",
            f"{len(opened)} sessions opened",
            "Open the Session once, before the loop, and run parts.init once in it. A TF1 "
            "session holds the variables' values: each new one starts without them, so a "
            "trained model's weights would be lost between runs.",
            "V2",
        )
