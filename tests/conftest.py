"""Tests outside the package (browser flows) share the package's personas and factories."""

from kehu.conftest import *  # noqa: F403
