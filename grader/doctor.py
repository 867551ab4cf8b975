"""`kit doctor`: the environment as the manual's chapter 3 asks you to check it (S1, S2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader import data
from grader.environment import describe_environment
from grader.frameworks import import_frameworks, native_stderr_silenced


@dataclass
class Finding:
    level: str  # "ok", "warning" or "problem"
    subject: str
    text: str
    fix: str = ""


def diagnose(progress: Callable[[str], None] = lambda text: None) -> list[Finding]:
    """The findings; progress(text) is told before each slow step (TensorFlow's import takes
    tens of seconds on a loaded machine)."""
    missing: dict[str, str] = {}
    with native_stderr_silenced():
        for name, slow in (("torch", ""), ("tensorflow", " (this can take half a minute)")):
            progress(f"importing {name}{slow}…")
            missing.update(import_frameworks([name]))
        progress("reading devices…")
        env = describe_environment()
    found = [Finding("ok", "Python", env["python"])]

    if env["torch"] is None:
        found.append(
            Finding(
                "problem",
                "torch",
                f"not installed ({missing.get('torch', '')})",
                "Run `tox -e grade` once: it installs torch with everything else.",
            )
        )
    else:
        build = (
            f"CUDA {env['torch_cuda_build']} build" if env["torch_cuda_build"] else "CPU-only build"
        )
        found.append(Finding("ok", "torch", f"{env['torch']} ({build})"))
        if env["cuda_available"]:
            found.append(Finding("ok", "CUDA", "available: " + ", ".join(env["gpus"])))
        elif env["torch_cuda_build"]:
            found.append(
                Finding(
                    "warning",
                    "CUDA",
                    "torch.cuda.is_available() is False",
                    "This torch can use CUDA but sees no GPU. On a GPU machine, check that "
                    "`nvidia-smi` lists the card and the driver is installed (manual S1, S2). "
                    "Until then the CUDA checks are reported as skipped.",
                )
            )
        else:
            found.append(
                Finding(
                    "warning",
                    "CUDA",
                    "not usable: this torch was built without CUDA",
                    "Install a CUDA build of torch to run the GPU checks (manual S1); "
                    "until then they are reported as skipped.",
                )
            )

    if env["tensorflow"] is None:
        found.append(
            Finding(
                "warning",
                "tensorflow",
                "not installed",
                "The TensorFlow chapters will be reported as skipped. `tox -e grade` installs "
                "tensorflow-cpu; set KIT_TF_EXTRA=tf-gpu first for GPU TensorFlow.",
            )
        )
    else:
        gpus = env["tf_gpus"]
        found.append(
            Finding(
                "ok",
                "tensorflow",
                f"{env['tensorflow']}; GPUs TF sees: {', '.join(gpus) or 'none'}",
            )
        )
        if env["cuda_available"] and not gpus:
            found.append(
                Finding(
                    "warning",
                    "tensorflow GPU",
                    "torch sees a GPU but TensorFlow does not",
                    "Recreate the environment with KIT_TF_EXTRA=tf-gpu (tensorflow[and-cuda]): "
                    "`KIT_TF_EXTRA=tf-gpu tox -r -e grade`.",
                )
            )

    status = data.describe()
    if "problem" in status:
        found.append(Finding("problem", "data directory", status["problem"]))
        return found
    root = status["data_dir"]
    if not status["exists"]:
        found.append(
            Finding(
                "warning",
                "data directory",
                f"{root} does not exist",
                "It is created on first download; or set KIT_DATA_DIR to a folder with the data.",
            )
        )
    else:
        found.append(
            Finding(
                "ok",
                "data directory",
                root + (" (downloads off: KIT_OFFLINE=1)" if status["offline"] else ""),
            )
        )
    california = "present" if status["california_cache"] else None
    cifar = (
        "torchvision files"
        if status["cifar10_torchvision"]
        else "offline subset"
        if status["cifar10_subset"]
        else None
    )
    for name, present in (("California housing", california), ("CIFAR-10", cifar)):
        if present:
            found.append(Finding("ok", name, present))
        else:
            level = "problem" if status["offline"] else "warning"
            found.append(
                Finding(
                    level,
                    name,
                    f"not in {root}",
                    "Downloaded on first use (needs internet); see datasets/README.md for "
                    "offline copies, or set KIT_DATA_DIR.",
                )
            )
    return found
