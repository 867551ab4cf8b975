"""Checks for exercises/ch6_tensorflow/tf_devices.py (manual F10)."""

import pytest

from grader.toolkit.expect import describe, fail
from grader.toolkit.tf_source import code_only, source

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

# A machine with two GPUs, for the check that runs visible_gpus against a simulated device list
# (the grading machine may have none, and then the real list is empty either way).
SIMULATED = [
    tf.config.PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU"),
    tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU"),
    tf.config.PhysicalDevice(name="/physical_device:GPU:1", device_type="GPU"),
]
# The logical devices TF would make of them: other names, '/device:GPU:0'.
SIMULATED_LOGICAL = [
    tf.config.LogicalDevice(
        name=d.name.replace("/physical_device:", "/device:"), device_type=d.device_type
    )
    for d in SIMULATED
]
# What tensor.device looks like for a tensor on the second GPU.
GPU_TENSOR_DEVICE = "/job:localhost/replica:0/task:0/device:GPU:1"
# APIs that describe the machine, not one tensor.
MACHINE_APIS = (
    "list_physical_devices",
    "get_visible_devices",
    "is_gpu_available",
    "gpu_device_name",
)


class TensorOnGPU:
    """A real eager tensor, standing in for one on the second GPU: only its devices change.

    The grading machine may have no GPU, so no real tensor can live on one; every other
    attribute (dtype, shape, numpy(), ...) is the real tensor's.
    """

    def __init__(self, tensor):
        self._tensor = tensor

    device = GPU_TENSOR_DEVICE
    backing_device = GPU_TENSOR_DEVICE  # where its memory is; the same for an op's result

    def __getattr__(self, name):
        return getattr(self._tensor, name)


def expect_name_list(got, want: list[str], what: str, function) -> None:
    """visible_gpus' result must be exactly `want`; each known slip gets its own message."""
    if isinstance(got, bool):
        fail(
            f"{what} to be a list of GPU names, here {want}",
            f"the bool {got}",
            "tf.test.is_gpu_available() is deprecated and only says yes or no. Return the names: "
            '[device.name for device in tf.config.list_physical_devices("GPU")].',
            "F10",
        )
    if not isinstance(got, list):
        fail(
            f"{what} to be a list of str, here {want}",
            describe(got),
            "Return a list of device names.",
            "F10",
        )
    if any(not isinstance(name, str) for name in got):
        fail(
            f"{what} to hold str names, here {want}",
            f"a list of {type(next(n for n in got if not isinstance(n, str))).__name__}",
            "list_physical_devices returns PhysicalDevice records: take each one's .name.",
            "F10",
        )
    if got != want and any("CPU" in name for name in got):
        fail(
            f"{what} to be {want}",
            str(got),
            "That lists every device, the CPU included: pass the device type, "
            'tf.config.list_physical_devices("GPU").',
            "F10",
        )
    if got != want:
        fail(
            f"{what} to be {want}",
            str(got),
            other_list_next_step(got, want, function),
            "F10",
        )


def other_list_next_step(got: list, want: list, function) -> str:
    """Why visible_gpus' list differs, confirmed by what came back and by the code."""
    code = code_only(source(function))
    logical = [name.replace("/physical_device:", "/device:") for name in want]
    if got == logical and got:
        return (
            "Those are logical device names (tf.config.list_logical_devices). The docstring asks "
            'for the physical GPUs: tf.config.list_physical_devices("GPU").'
        )
    if "" in got and "gpu_device_name" in code:
        return (
            "tf.test.gpu_device_name() is '' without a GPU and names only one GPU otherwise. "
            'Return [device.name for device in tf.config.list_physical_devices("GPU")].'
        )
    return 'Return [device.name for device in tf.config.list_physical_devices("GPU")].'


def test_visible_gpus_match_what_tensorflow_reports(learner):
    """Check that visible_gpus lists exactly the GPUs this TensorFlow sees (none on a CPU-only machine)."""
    want = [device.name for device in tf.config.list_physical_devices("GPU")]
    expect_name_list(
        learner.visible_gpus(), want, "visible_gpus() on this machine", learner.visible_gpus
    )


def test_visible_gpus_on_a_simulated_two_gpu_machine(learner, monkeypatch):
    """Check that visible_gpus returns both names when TF reports a CPU and two GPUs (simulated)."""

    def list_physical_devices(device_type=None):
        return [d for d in SIMULATED if device_type is None or d.device_type == device_type]

    def list_logical_devices(device_type=None):
        return [d for d in SIMULATED_LOGICAL if device_type is None or d.device_type == device_type]

    # Every public way to ask, so that any of them sees the same two GPUs.
    for module in (tf.config, tf.config.experimental):
        monkeypatch.setattr(module, "list_physical_devices", list_physical_devices)
        monkeypatch.setattr(module, "get_visible_devices", list_physical_devices)
        monkeypatch.setattr(module, "list_logical_devices", list_logical_devices)
    want = [d.name for d in SIMULATED if d.device_type == "GPU"]
    expect_name_list(
        learner.visible_gpus(),
        want,
        "visible_gpus() where TF reports a CPU and two GPUs",
        learner.visible_gpus,
    )


def expect_device_type(got, want: str, what: str, device: str, function) -> None:
    if got == want:
        return
    machine_answer = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    code = code_only(source(function))
    if got == device:
        next_step = (
            "That is the whole device string. Return only its device type: "
            "tf.DeviceSpec.from_string(tensor.device).device_type."
        )
    elif isinstance(got, tf.DeviceSpec):
        next_step = "That is the DeviceSpec itself: return its .device_type, a str."
    elif isinstance(got, bool):
        next_step = "Return the device type as a str ('CPU' or 'GPU'), not a yes/no answer."
    elif isinstance(got, str) and got.upper() == want:
        next_step = f"Return it in capitals, as TF writes it: {want!r}."
    elif isinstance(got, str) and got.isdigit() and device.endswith(":" + got):
        next_step = (
            f"{got!r} is the device index, the number after the last ':'. The device type is "
            "the part before it: tf.DeviceSpec.from_string(tensor.device).device_type."
        )
    elif isinstance(got, str) and got != device and device.endswith(got) and want in got:
        next_step = (
            f"{got!r} is the end of the device string, but it still holds more than the type: "
            f"the device type is {want!r} alone, without 'device:' before it or the ':' and index "
            "after it. tf.DeviceSpec.from_string(tensor.device).device_type reads it out."
        )
    elif got == machine_answer and any(api in code for api in MACHINE_APIS):
        next_step = (
            "That answers which devices the machine has, not where this tensor lives: a "
            "tensor made under tf.device('/CPU:0') stays on the CPU of a GPU machine. Read the "
            "tensor's own .device: tf.DeviceSpec.from_string(tensor.device).device_type."
        )
    else:
        next_step = "Parse tensor.device: tf.DeviceSpec.from_string(tensor.device).device_type."
    fail(f"{what} to be {want!r}", f"{got!r}", next_step, "F10")


def test_placement_of_a_small_op(learner):
    """Check that placement_of reports where TF put a small op: the GPU if it sees one, else the CPU."""
    tensor = tf.constant([1.0, 2.0, 3.0]) * 2.0  # placed automatically (manual F10)
    want = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    expect_device_type(
        learner.placement_of(tensor),
        want,
        f"placement_of(tensor) with tensor.device = {tensor.device!r}",
        tensor.device,
        learner.placement_of,
    )
    with tf.device("/CPU:0"):
        pinned = tf.constant([1.0, 2.0, 3.0]) * 2.0
    expect_device_type(
        learner.placement_of(pinned),
        "CPU",
        "placement_of(tensor) for a tensor made under tf.device('/CPU:0')",
        pinned.device,
        learner.placement_of,
    )


def test_placement_of_reads_the_device_string(learner):
    """Check that placement_of reads tensor.device, using a stand-in tensor that lives on a GPU."""
    stand_in = TensorOnGPU(tf.constant([1.0, 2.0, 3.0]))
    expect_device_type(
        learner.placement_of(stand_in),
        "GPU",
        f"placement_of(tensor) for a tensor whose .device is {GPU_TENSOR_DEVICE!r} (a CPU "
        "tensor standing in for one on a GPU)",
        GPU_TENSOR_DEVICE,
        learner.placement_of,
    )
