"""gunicorn's settings for `kehu serve` (`-c python:kehu.core.gunicorn_conf`; the command line's
flags come on top): the application is loaded once in the master and warmed up there
(kehu.core.warmup) before the workers are forked, so no worker's first requests pay for imports,
catalogues and template compilation."""

from __future__ import annotations

from typing import Any

preload_app = True


def when_ready(server: Any) -> None:  # the master, after loading the app, before any fork
    from kehu.core.warmup import warm_up

    warm_up()
