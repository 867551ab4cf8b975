"""tox plugin: `tox -e grade` and `tox -e test` share one environment, so torch installs once.

tox 4 records the environment's name in its folder and rebuilds the folder when another
environment with the same `env_dir` runs. Both of ours install exactly the same packages, so
this runner records one shared name instead.
"""

from tox.plugin import impl
from tox.tox_env.python.virtual_env.runner import VirtualEnvRunner
from tox.tox_env.register import ToxEnvRegister

SHARED_NAME = "kit"


class _SharedNameInfo:
    """tox's per-environment cache, with the environment's name replaced by SHARED_NAME."""

    def __init__(self, info):
        self._info = info

    def compare(self, value, section, sub_section=None):
        if section == "ToxEnv" and isinstance(value, dict):
            value = {**value, "name": SHARED_NAME}
        return self._info.compare(value, section, sub_section)

    def __getattr__(self, name):
        return getattr(self._info, name)


class SharedVirtualEnvRunner(VirtualEnvRunner):
    @staticmethod
    def id() -> str:
        return "kit-shared-virtualenv"

    @property
    def cache(self):
        return _SharedNameInfo(super().cache)


@impl
def tox_register_tox_env(register: ToxEnvRegister) -> None:
    register.add_run_env(SharedVirtualEnvRunner)
