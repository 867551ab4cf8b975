"""The exception explainers (grader.explain): each names the cause on the learner's line when
the line, its values and the exception's text confirm it, and stays silent otherwise."""

import importlib.util
import textwrap

import pytest

from grader import explain

LEARNER = """
import copy
import os
import sys
import threading

import numpy as np
import torch
from torch import nn
from torchvision import transforms


def with_class():
    with torch.no_grad:
        return 1


def with_method():
    lock = threading.Lock()
    with lock.acquire:
        return 1


def list_of_layers():
    return nn.Sequential(*[nn.Linear(2, 3), nn.Tanh])


def class_in_sequential():
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU, nn.Linear(3, 1))


def class_on_data(pred, target):
    return nn.MSELoss(pred, target)


def method_as_value(x):
    return x.size * 2


def broadcast(d_z, x):
    return d_z * x


def matmul(W0, d_z):
    return W0 @ d_z


def outer_by_transpose(d_z, x):
    return d_z.T * x


def linear(x):
    fc = nn.Linear(8, 5)
    return fc(x)


def flatten_by_hand(x):
    return x.view(-1, 400)


def dtypes(a, b):
    return a @ b


def layer_dtype(x):
    fc = nn.Linear(3, 2)
    return fc(x)


def layer_device(x):
    fc = nn.Linear(3, 2).to("meta")
    return fc(x)


def fit_like(model, x):
    return model.fit(x)


def misspelt_module():
    return npy.zeros(3)


def not_imported():
    return plt.figure()


def typo(values):
    total = 0
    for value in values:
        totl += value
    return total


def numpy_method(x):
    return x.unsqueeze(0)


def torch_method(x):
    return x.astype(np.float32)


def close_attribute(x):
    return x.reshpe(2, 2)


def none_attribute():
    result = [3, 1, 2].sort()
    return result.copy()


def past_end(x):
    return [x[i] for i in range(len(x) + 1)]


def wrong_key(grads):
    return grads["w1"]


def unrelated():
    raise ValueError("operands could not be broadcast together with shapes (7,) (9,)")


def unrelated_type_error(x):
    return len(x)


def builds_transform():
    return transforms.Compose([transforms.ToTensor, transforms.Normalize(0.5, 0.5)])


def gpu_device():
    return torch.device("gpu")


def evaluate(model):
    model.eval
    return model


def method_held(values):
    x = torch.tensor(values, dtype=torch.float32).requires_grad_
    return x * x


def flag_called():
    torch.backends.cudnn.deterministic(True)


def int_called():
    rate = 3
    return rate(2)


def environ_int(seed):
    os.environ["KIT_TEST_EXPLAIN_SEED"] = seed


def environ_int_key(seed):
    os.environ[seed] = "1"


def expand_shape(image):
    return image.expand(1, image.shape)


def permute_tuple(image):
    return image.permute((0, 1), 2)


def item_before_backward(x):
    loss = (x * 2).sum().item()
    loss.backward()


def float_attribute(x):
    total = float(x.sum())
    return total.backward()


class NoSuperInit(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 1)


class Tee:
    def __init__(self):
        self.terminal = None

    def start(self):
        sys.stdout = self
        self.terminal = sys.stdout

    def write(self, text):
        self.terminal.write(text)


class Relay:
    def __init__(self):
        self.target = self

    def write(self, text):
        self.target.write(text)


def tee_write():
    tee = Tee()
    saved = sys.stdout
    try:
        tee.start()
    finally:
        sys.stdout = saved
    tee.write("x")


def relay_write():
    Relay().write("x")


def countdown(n):
    return countdown(n - 1)


def tf1_seed():
    import tensorflow as tf

    tf.set_random_seed(1)


def tf_misspelt_seed():
    import tensorflow as tf

    tf.random.set_sed(1)


def placeholder_swapped():
    import tensorflow as tf

    with tf.Graph().as_default():
        return tf.compat.v1.placeholder((2, 2), tf.float32, name="x1")


def placeholder_shape_only():
    import tensorflow as tf

    with tf.Graph().as_default():
        return tf.compat.v1.placeholder((2, 2))


def argmax_per_batch(batches):
    predictions = []
    for scores in batches:
        predictions.append(torch.argmax(scores).numpy())
    return np.concatenate(predictions)


def sums_per_batch(batches):
    sums = [b.sum() for b in batches]
    return np.concatenate(sums)


def keeps_the_method(model):
    return copy.deepcopy(model.state_dict)


def keeps_the_state(model):
    return copy.deepcopy(model.state_dict())
"""


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner")
    path = folder / "answer.py"
    path.write_text(textwrap.dedent(LEARNER))
    spec = importlib.util.spec_from_file_location("_kit_learner_answer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def explained(learner, name, *args):
    with pytest.raises(Exception) as raised:
        getattr(learner, name)(*args)
    found = explain.raised_on_learner_line(raised.value, lambda f: f == learner.__file__)
    return found.text() if found else None


def test_a_class_where_an_object_was_needed(learner):
    import torch

    assert "`torch.no_grad` is a class" in explained(learner, "with_class")
    assert "with torch.no_grad():" in explained(learner, "with_class")
    assert "`lock.acquire` is a method" in explained(learner, "with_method")
    assert "`nn.Tanh` on line" in explained(learner, "list_of_layers")
    text = explained(learner, "class_in_sequential")
    assert "`nn.ReLU` is the class ReLU itself" in text and "nn.ReLU()" in text
    text = explained(learner, "class_on_data", torch.zeros(3), torch.ones(3))
    assert "`nn.MSELoss` is a class" in text and "f = nn.MSELoss(), then f(pred, target)" in text


def test_a_method_used_without_the_call(learner):
    import torch

    text = explained(learner, "method_as_value", torch.zeros(3))
    assert "`x.size` is a method" in text and "x.size()" in text


def test_the_operands_shapes_dtypes(learner):
    import numpy as np
    import torch

    text = explained(learner, "broadcast", np.zeros(2), np.zeros(3))
    assert (
        "`d_z` is a numpy array of shape (2,)" in text
        and "`x` is a numpy array of shape (3,)" in text
    )
    text = explained(learner, "matmul", np.zeros((2, 3)), np.zeros(2))
    assert "`W0` is a numpy array of shape (2, 3)" in text and "matrix product" in text
    text = explained(learner, "linear", torch.zeros(4, 10))
    assert "in_features=8" in text and "`x` has 10 there" in text
    text = explained(
        learner, "dtypes", torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float32)
    )
    assert "dtype torch.float64" in text and "dtype torch.float32" in text and ".float()" in text
    text = explained(learner, "flatten_by_hand", torch.zeros(4, 32, 4, 4))
    assert "2048 values, which do not fill the shape (-1, 400)" in text
    assert "One sample holds 512 values (32 x 4 x 4)" in text
    text = explained(learner, "layer_dtype", torch.zeros(4, 3, dtype=torch.float64))
    assert (
        "whose weights are torch.float32 on cpu" in text and "dtype torch.float64, on cpu" in text
    )
    # Two devices without a GPU: torch's "meta" device raises the error a CUDA layer given a CPU
    # tensor raises ("Tensor on device ... is not on the expected device ...").
    text = explained(learner, "layer_device", torch.zeros(4, 3))
    assert "whose weights are torch.float32 on meta" in text and "on cpu" in text
    assert "different devices" in text and ".to(device)" in text


def test_a_transposed_1d_array_is_named_only_where_it_is_1d(learner):
    import numpy as np

    text = explained(learner, "outer_by_transpose", np.zeros(2), np.zeros(3))
    assert ".T of a 1-D array returns it unchanged" in text and "np.outer(a, b)" in text
    # A 2-D d_z whose transpose does not fit: the shapes are told, not the 1-D rule.
    text = explained(learner, "outer_by_transpose", np.zeros((2, 4)), np.zeros(3))
    assert "1-D" not in text and "shape (4, 2)" in text


def test_no_operands_named_through_a_call_that_hides_its_operations(learner):
    import numpy as np

    class Model:
        def fit(self, x):
            return np.zeros(2) + x

    assert explained(learner, "fit_like", Model(), np.zeros(3)) is None


def test_names_and_attributes(learner):
    import numpy as np
    import torch

    assert "did you mean `np`?" in explained(learner, "misspelt_module")
    assert "Add `import matplotlib.pyplot as plt` at the top" in explained(learner, "not_imported")
    assert "did you mean `total`?" in explained(learner, "typo", [1, 2])
    assert "np.expand_dims" in explained(learner, "numpy_method", np.zeros(3))
    assert "x.to(dtype)" in explained(learner, "torch_method", torch.zeros(3))
    assert "Did you mean .reshape?" in explained(learner, "close_attribute", np.zeros(4))
    assert "`result` is None on that line" in explained(learner, "none_attribute")


def test_an_index_one_past_the_end_and_a_misspelt_key(learner):
    import numpy as np

    text = explained(learner, "past_end", np.zeros(4))
    assert "The index 4 is one past the end" in text
    text = explained(learner, "wrong_key", {"W0": 1, "W1": 2})
    assert "Did you mean 'W1'?" in text
    # No key spelt like the one asked for: another dict than the code expects (a state_dict
    # saved bare, read as a wrapper), not a typo, so spelling is not blamed.
    text = explained(learner, "wrong_key", {"fc1.weight": 1, "fc1.bias": 2})
    assert "so this is no typo" in text and "Did you mean" not in text


def test_silent_without_evidence(learner):
    # The text speaks of shapes, but no operand on the line has them.
    assert explained(learner, "unrelated") is None
    # A TypeError on a line with no class, no method and no shapes.
    assert explained(learner, "unrelated_type_error", 3) is None


def test_library_errors_are_traced_back_to_the_learners_file(learner):
    import numpy as np
    from PIL import Image

    transform = learner.builds_transform()
    with pytest.raises(TypeError) as raised:
        transform(Image.fromarray(np.zeros((4, 4, 3), dtype=np.uint8)))
    found = explain.class_in_source(raised.value, [learner], str)
    assert found is not None and "transforms.ToTensor()" in found.text()
    assert found.line[1] == 1 + LEARNER.splitlines().index(
        "    return transforms.Compose([transforms.ToTensor, transforms.Normalize(0.5, 0.5)])"
    )


def test_a_missing_function_is_named_with_what_the_file_has(learner):
    with pytest.raises(AttributeError) as raised:
        learner.evaluat  # noqa: B018 - the check's call of a renamed function
    text = explain.missing_function(raised.value, [learner], lambda p: "answer.py").text()
    assert "answer.py has no function `evaluat`; did you rename it to `evaluate`?" in text
    assert "_kit_learner" not in text
    with pytest.raises(AttributeError) as raised:
        learner.z_and_gradients  # noqa: B018
    text = explain.missing_function(raised.value, [learner], lambda p: "answer.py").text()
    assert "It defines: " in text and "broadcast, builds_transform," in text


def test_a_method_named_as_a_statement(learner):
    found = explain.bare_method_statements(learner.__file__)
    assert [(text, method) for _, text, method in found] == [("model.eval", "eval")]


def test_a_method_held_in_a_name(learner):
    text = explained(learner, "method_held", [1.0, 2.0])
    assert "`x` holds the method requires_grad_ itself, not its result" in text
    assert "torch.tensor(values, dtype=torch.float32).requires_grad_()." in text


def test_a_setting_called_like_a_function(learner):
    text = explained(learner, "flag_called")
    assert "`torch.backends.cudnn.deterministic` is a setting that holds the value" in text
    assert "torch.backends.cudnn.deterministic = True." in text
    # A number called, but no module's setting: nothing to assign.
    assert explained(learner, "int_called") is None


def test_an_environment_value_that_is_not_a_string(learner):
    text = explained(learner, "environ_int", 42)
    assert "os.environ must be strings, and `seed` is the number 42" in text
    assert "= str(seed)." in text
    # The same text from os for a key that is not a string: the value is one, so silent.
    assert explained(learner, "environ_int_key", 42) is None


def test_a_shape_among_sizes(learner):
    import torch

    text = explained(learner, "expand_shape", torch.zeros(3, 5))
    assert "`image.shape` is the shape (3, 5), passed as one argument beside other sizes" in text
    assert "image.expand(1, *image.shape)." in text
    # permute takes axes, not sizes: its unpacking error is not about a shape.
    assert explained(learner, "permute_tuple", torch.zeros(3, 5, 2)) is None


def test_a_python_number_where_a_tensor_was_needed(learner):
    import torch

    text = explained(learner, "item_before_backward", torch.ones(2, requires_grad=True))
    assert "`loss` is the number 4.0, a Python number and not a tensor" in text
    assert "`loss = (x * 2).sum().item()`, made it a number with .item()" in text
    # Made a number by float(): the cause is not claimed to be .item().
    text = explained(learner, "float_attribute", torch.ones(2))
    assert "a Python number and not a tensor" in text and ".item()`" not in text


def test_a_module_that_skips_nn_modules_init(learner):
    with pytest.raises(AttributeError) as raised:
        learner.NoSuperInit()
    found = explain.raised_on_learner_line(raised.value, lambda f: f == learner.__file__)
    assert "NoSuperInit.__init__ stores a layer on self before nn.Module's own" in found.text()
    assert "super().__init__() the first line of NoSuperInit.__init__" in found.text()


def test_a_method_that_calls_itself_through_self(learner):
    text = explained(learner, "tee_write")
    assert "`self.terminal` is this object itself" in text
    assert "`sys.stdout = self`, puts this object in place before line" in text
    text = explained(learner, "relay_write")
    assert "`self.target` is this object itself" in text and "sys.stdout" not in text
    # A plain recursion without end: no attribute of self is the object.
    assert explained(learner, "countdown", 3) is None


def test_a_tensorflow_1_name(learner):
    text = explained(learner, "tf1_seed")
    assert "`tf.set_random_seed` is a TensorFlow 1 name" in text
    assert "Use tf.random.set_seed(seed) instead." in text
    assert "TensorFlow 1" not in (explained(learner, "tf_misspelt_seed") or "")


def test_single_values_concatenated(learner):
    import numpy as np
    import torch

    batches = [torch.zeros(4, 3), torch.ones(4, 3)]
    text = explained(learner, "argmax_per_batch", batches)
    assert "`predictions` is a list of 2 numpy arrays of shape (): each item is a single" in text
    assert "`torch.argmax(scores)`, gives argmax no axis" in text
    assert "torch.argmax(scores, dim=1)" in text
    # Single values with no argmax in the function: the cause is not claimed to be argmax.
    text = explained(learner, "sums_per_batch", [np.zeros(3), np.ones(3)])
    assert "each item is a single value" in text and "argmax" not in text


def test_two_positional_arguments_in_each_others_places(learner):
    text = explained(learner, "placeholder_swapped")
    assert "in the order (dtype, shape), so your call passes `(2, 2)` as dtype" in text
    assert "tf.compat.v1.placeholder(tf.float32, (2, 2), name='x1')." in text
    # The same error without a dtype among the arguments: nothing was swapped.
    assert explained(learner, "placeholder_shape_only") is None


def test_a_method_returned_uncalled_is_found_in_the_file(learner):
    from torch import nn

    from grader.toolkit.values import describe

    described = describe(learner.keeps_the_method(nn.Linear(2, 1)))
    assert described == "the method state_dict itself, not its result"
    found = explain.uncalled_method_described(f"Got {described}.", learner.__file__)
    assert "`model.state_dict`, names the method state_dict without calling it" in found.text()
    assert "Call it: model.state_dict()." in found.text()
    assert describe(learner.keeps_the_state(nn.Linear(2, 1))) == "an OrderedDict"
    assert explain.uncalled_method_described("Got a dict.", learner.__file__) is None


# Two checks added to a copy of the kit: one that breaks on any answer (a fault of the check),
# one that breaks only on a float where the docstring promises an int.
BROKEN_CHECKS = '''

def test_breaks_on_any_answer(learner):
    """Check that a check with a bug of its own is blamed on the kit."""
    learner.conv_output_size(8, 3, 1, 2).shape


def test_breaks_on_a_float(learner):
    """Check that a value the docstring does not describe is blamed on the value."""
    size = learner.conv_output_size(8, 3, 1, 2)
    list(range(size))
'''


def test_the_kit_is_blamed_only_when_the_reference_fails_too(project_copy, tmp_path):
    from tests.conftest import kit_command

    checks = project_copy / "grader/checks/ch1_theory/conv_output_size.py"
    checks.write_text(checks.read_text() + BROKEN_CHECKS)
    answer = tmp_path / "answer" / "ch1_theory" / "conv_output_size.py"
    answer.parent.mkdir(parents=True)
    reference = (project_copy / "reference/ch1_theory/conv_output_size.py").read_text()
    answer.write_text(reference.replace("// stride + 1", "/ stride + 1"))
    report = tmp_path / "report.json"
    kit_command(
        project_copy,
        "grade",
        "conv_output_size",
        "--exercises",
        str(answer.parent.parent),
        "--json",
        str(report),
    )
    import json

    checks = {c["name"]: c for c in json.loads(report.read_text())["exercises"][0]["checks"]}
    kit_bug = checks["breaks_on_any_answer"]["message"]
    assert "reference solution fails this check the same way" in kit_bug
    assert "fault of the kit" in kit_bug
    value = checks["breaks_on_a_float"]["message"]
    assert "The reference solution passes this check" in value
    assert "`size` is the number 4.5." in value and "fault of the kit" not in value


def test_an_annotation_is_no_use_of_the_class(tmp_path):
    """`-> float` and `device: torch.device` name classes on purpose: heldout answers were told
    that such an annotation was the class left uncalled (train_step, pick_device)."""
    path = tmp_path / "annotated.py"
    path.write_text(
        textwrap.dedent(
            """
            import torch


            def pick(name: str = "cpu") -> torch.device:
                chosen: torch.device = torch.device(name)
                return chosen


            def step(loss) -> float:
                return float(loss)
            """
        )
    )
    assert explain.uncalled_reference(str(path), "device") is None
    assert explain.uncalled_reference(str(path), "float") is None
    # The same class used as a value outside an annotation is still found.
    path.write_text("import torch\n\n\ndef pick() -> torch.device:\n    return torch.device\n")
    assert explain.uncalled_reference(str(path), "device") == (5, "torch.device")


def test_a_device_type_torch_does_not_know(learner):
    text = explained(learner, "gpu_device")
    assert "`torch.device('gpu')` asks for the device type 'gpu'" in text
    assert 'torch.device("cuda")' in text
    # A device string torch knows but cannot use here is another error: nothing named.
    assert explain._unknown_device(RuntimeError("CUDA error: no device"), None, None) is None


def test_parameters_in_another_order_than_the_stubs(tmp_path):
    stub = "def size_out(size, kernel, padding=0, stride=1):\n    raise NotImplementedError\n"
    answers = {
        "reordered": "def size_out(size, kernel, stride=1, padding=0):\n"
        "    return (size - kernel + 2 * padding) // stride + 1\n",
        "same_order": "def size_out(size, kernel, padding=0, stride=1):\n"
        "    return (size - kernel + 2 * padding) // (stride - 1) + 1\n",
        "renamed": "def size_out(n, k, s=1, p=0):\n    return (n - k + 2 * p) // s + 1\n",
    }
    (tmp_path / "stubs" / "ch").mkdir(parents=True)
    (tmp_path / "stubs" / "ch" / "size_out.py").write_text(stub)
    said = {}
    for name, source in answers.items():
        root = tmp_path / name
        path = root / "ch" / "size_out.py"
        path.parent.mkdir(parents=True)
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"_kit_learner_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with pytest.raises(ZeroDivisionError) as raised:
            module.size_out(8, 3, 0, 1)  # padding 0, stride 1 in the stub's order
        found = explain.parameters_reordered(
            raised.value, lambda f, p=path: f == str(p), root, tmp_path / "stubs"
        )
        said[name] = found.text() if found else None
    assert "in the order (size, kernel, stride, padding), and the stub's" in said["reordered"]
    assert "gives `stride` the value meant for `padding`" in said["reordered"]
    assert "def size_out(size, kernel, padding=0, stride=1)." in said["reordered"]
    assert said["same_order"] is None and said["renamed"] is None
