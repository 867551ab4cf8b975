"""Checks for exercises/ch6_tensorflow/tf_devices.py (manual F10)."""

from types import SimpleNamespace

import pytest

from grader.expect import describe, fail

tf = pytest.importorskip("tensorflow", reason="tensorflow not installed")

# A machine with two GPUs, for the check that runs visible_gpus against a simulated device list
# (the grading machine may have none, and then the real list is empty either way).
SIMULATED = [
    tf.config.PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU"),
    tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU"),
    tf.config.PhysicalDevice(name="/physical_device:GPU:1", device_type="GPU"),
]
# What tensor.device looks like for a tensor on the second GPU.
GPU_TENSOR_DEVICE = "/job:localhost/replica:0/task:0/device:GPU:1"


def expect_name_list(got, want: list[str], what: str) -> None:
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
            'Return [device.name for device in tf.config.list_physical_devices("GPU")].',
            "F10",
        )


def test_visible_gpus_match_what_tensorflow_reports(learner):
    """Check that visible_gpus lists exactly the GPUs this TensorFlow sees (none on a CPU-only machine)."""
    want = [device.name for device in tf.config.list_physical_devices("GPU")]
    expect_name_list(learner.visible_gpus(), want, "visible_gpus() on this machine")


def test_visible_gpus_on_a_simulated_two_gpu_machine(learner, monkeypatch):
    """Check that visible_gpus returns both names when TF reports a CPU and two GPUs (simulated)."""

    def list_physical_devices(device_type=None):
        return [d for d in SIMULATED if device_type is None or d.device_type == device_type]

    monkeypatch.setattr(tf.config, "list_physical_devices", list_physical_devices)
    monkeypatch.setattr(tf.config.experimental, "list_physical_devices", list_physical_devices)
    want = [d.name for d in SIMULATED if d.device_type == "GPU"]
    expect_name_list(
        learner.visible_gpus(), want, "visible_gpus() where TF reports a CPU and two GPUs"
    )


def expect_device_type(got, want: str, what: str, device: str) -> None:
    if got == want:
        return
    if got == device:
        next_step = (
            "That is the whole device string. Return only its device type: "
            "tf.DeviceSpec.from_string(tensor.device).device_type."
        )
    elif isinstance(got, bool):
        next_step = "Return the device type as a str ('CPU' or 'GPU'), not a yes/no answer."
    elif isinstance(got, str) and got.upper() == want:
        next_step = f"Return it in capitals, as TF writes it: {want!r}."
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
    )
    with tf.device("/CPU:0"):
        pinned = tf.constant([1.0, 2.0, 3.0]) * 2.0
    expect_device_type(
        learner.placement_of(pinned),
        "CPU",
        "placement_of(tensor) for a tensor made under tf.device('/CPU:0')",
        pinned.device,
    )


def test_placement_of_reads_the_device_string(learner):
    """Check that placement_of reads tensor.device, using a stand-in tensor that lives on a GPU."""
    stand_in = SimpleNamespace(device=GPU_TENSOR_DEVICE)
    expect_device_type(
        learner.placement_of(stand_in),
        "GPU",
        f"placement_of(tensor) for a tensor whose .device is {GPU_TENSOR_DEVICE!r}",
        GPU_TENSOR_DEVICE,
    )
