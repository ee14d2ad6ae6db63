"""Load, once, what a web worker's first requests would otherwise load one by one.

`kehu serve` runs gunicorn with kehu/core/gunicorn_conf.py: the application is loaded in the
master (preload_app) and this runs there before the workers are forked, so every worker starts
with the URL conf and every view module imported, the translation catalogues read and the
templates compiled (the cached template loader keeps them), shared copy-on-write. Without it
each of four workers paid for that on its own first requests: the load test's p99 of about
1.8 s all fell in its first seconds (docs/PERFORMANCE.md, "Load").
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import django.forms
from django.conf import settings
from django.db import connections
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent.parent  # kehu/
TEMPLATE_SUFFIXES = (".html", ".txt")


def _compile_all(engine: Any, folders: list[Path]) -> int:
    """get_template() every template file under folders; the cached loader keeps each."""
    count = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            try:
                engine.get_template(path.relative_to(folder).as_posix())
            except (TemplateDoesNotExist, TemplateSyntaxError, UnicodeDecodeError):
                continue  # not a template of this engine (or not one at all): left to first use
            count += 1
    return count


def warm_up() -> dict[str, Any]:
    """Import every view, read the catalogues, compile Kehu's templates and the form widgets'.
    Closes the database connections it may have opened: a forked worker must open its own."""
    started = time.monotonic()
    resolver = get_resolver()
    resolver.reverse_dict  # noqa: B018 (imports every URL conf and view, builds the lookups)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Kehu")
    templates = 0
    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            folders = [Path(d) for d in backend.template_dirs if Path(d).is_relative_to(PACKAGE)]
            templates += _compile_all(backend.engine, folders)
    forms_backend = getattr(get_default_renderer(), "engine", None)
    if isinstance(forms_backend, DjangoTemplates):  # the form renderer's own engine
        forms_folder = Path(django.forms.__file__).parent / "templates"
        templates += _compile_all(forms_backend.engine, [forms_folder])
    connections.close_all()
    took = round(time.monotonic() - started, 2)
    logger.info("warmed up: %s templates in %s s", templates, took)
    return {"templates": templates, "seconds": took}
