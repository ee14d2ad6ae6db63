"""Named checks (a registry) that scenario steps use; importing the package registers them."""

from . import analysis, basic, drills  # noqa: F401
from .registry import CHECKS, CheckContext, CheckResult, check_run

__all__ = ["CHECKS", "CheckContext", "CheckResult", "check_run"]
