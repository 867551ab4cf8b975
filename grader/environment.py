"""Facts about the running environment: Python, framework versions and devices."""

from __future__ import annotations

import platform
import sys


def describe_environment() -> dict:
    """Versions and devices, read without running any framework op beyond device queries."""
    env: dict = {
        "python": platform.python_version(),
        "torch": None,
        "torch_cuda_build": None,
        "cuda_available": False,
        "gpus": [],
        "tensorflow": None,
        "tf_gpus": [],
    }
    try:
        import torch
    except ImportError:
        pass
    else:
        env["torch"] = torch.__version__
        env["torch_cuda_build"] = torch.version.cuda
        env["cuda_available"] = bool(torch.cuda.is_available())
        if env["cuda_available"]:
            env["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if (
        "tensorflow" in sys.modules
    ):  # only report TF where it was imported already; importing is slow
        tf = sys.modules["tensorflow"]
        env["tensorflow"] = tf.__version__
        env["tf_gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
    return env


def probe() -> int:
    """Fork-server target: sends describe_environment() as one record."""
    from grader import records

    records.send(records.Environment(describe_environment()))
    return 0
