"""`kit doctor`: the environment as the manual's chapter 3 asks you to check it (S1, S2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader import data
from grader.environment import describe_environment
from grader.frameworks import import_frameworks, native_stderr_silenced
from grader.i18n import _


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
        for name, slow in (
            ("torch", _("importing {name}…")),
            ("tensorflow", _("importing {name} (this can take half a minute)…")),
        ):
            progress(slow.format(name=name))
            missing.update(import_frameworks([name]))
        progress(_("reading devices…"))
        env = describe_environment()
    found = [Finding("ok", "Python", env["python"])]

    if env["torch"] is None:
        found.append(
            Finding(
                "problem",
                "torch",
                _("not installed ({reason})").format(reason=missing.get("torch", "")),
                _("Run {command} once: it installs torch with everything else.").format(
                    command="`tox -e grade`"
                ),
            )
        )
    else:
        build = (
            _("CUDA {version} build").format(version=env["torch_cuda_build"])
            if env["torch_cuda_build"]
            else _("CPU-only build")
        )
        found.append(Finding("ok", "torch", f"{env['torch']} ({build})"))
        if env["cuda_available"]:
            found.append(
                Finding("ok", "CUDA", _("available: {gpus}").format(gpus=", ".join(env["gpus"])))
            )
        elif env["torch_cuda_build"]:
            found.append(
                Finding(
                    "warning",
                    "CUDA",
                    _("{call} is False").format(call="torch.cuda.is_available()"),
                    _(
                        "This torch can use CUDA but sees no GPU. On a GPU machine, check that "
                        "{command} lists the card and the driver is installed (manual S1, S2). "
                        "Until then the CUDA checks are reported as skipped."
                    ).format(command="`nvidia-smi`"),
                )
            )
        else:
            found.append(
                Finding(
                    "warning",
                    "CUDA",
                    _("not usable: this torch was built without CUDA"),
                    _(
                        "Install a CUDA build of torch to run the GPU checks (manual S1); "
                        "until then they are reported as skipped."
                    ),
                )
            )

    if env["tensorflow"] is None:
        found.append(
            Finding(
                "warning",
                "tensorflow",
                _("not installed"),
                _(
                    "The TensorFlow chapters will be reported as skipped. {command} installs "
                    "tensorflow-cpu; set KIT_TF_EXTRA=tf-gpu first for GPU TensorFlow."
                ).format(command="`tox -e grade`"),
            )
        )
    else:
        gpus = env["tf_gpus"]
        found.append(
            Finding(
                "ok",
                "tensorflow",
                _("{version}; GPUs TF sees: {gpus}").format(
                    version=env["tensorflow"], gpus=", ".join(gpus) or _("none")
                ),
            )
        )
        if env["cuda_available"] and not gpus:
            found.append(
                Finding(
                    "warning",
                    "tensorflow GPU",
                    _("torch sees a GPU but TensorFlow does not"),
                    _(
                        "Recreate the environment with KIT_TF_EXTRA=tf-gpu "
                        "(tensorflow[and-cuda]): {command}."
                    ).format(command="`KIT_TF_EXTRA=tf-gpu tox -r -e grade`"),
                )
            )

    status = data.describe()
    data_dir = _("data directory")
    if "problem" in status:
        found.append(Finding("problem", data_dir, status["problem"]))
        return found
    root = status["data_dir"]
    if not status["exists"]:
        found.append(
            Finding(
                "warning",
                data_dir,
                _("{folder} does not exist").format(folder=root),
                _(
                    "It is created on first download; or set KIT_DATA_DIR to a folder with the "
                    "data."
                ),
            )
        )
    else:
        found.append(
            Finding(
                "ok",
                data_dir,
                root + (_(" (downloads off: KIT_OFFLINE=1)") if status["offline"] else ""),
            )
        )
    california = _("present") if status["california_cache"] else None
    cifar = (
        _("torchvision files")
        if status["cifar10_torchvision"]
        else _("offline subset")
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
                    _("not in {folder}").format(folder=root),
                    _(
                        "Downloaded on first use (needs internet); see datasets/README.md for "
                        "offline copies, or set KIT_DATA_DIR."
                    ),
                )
            )
    return found
