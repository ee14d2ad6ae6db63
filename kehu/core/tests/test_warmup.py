"""`kehu serve` loads the app in gunicorn's master and warms it up before forking workers."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.template import engines
from django.template.backends.django import DjangoTemplates

from kehu.core import gunicorn_conf
from kehu.core.warmup import warm_up


def test_serve_runs_gunicorn_with_the_preloading_config() -> None:
    out = io.StringIO()
    call_command("serve", "--print", "--workers", "2", stdout=out)
    assert "--config python:kehu.core.gunicorn_conf" in out.getvalue()
    assert gunicorn_conf.preload_app is True and callable(gunicorn_conf.when_ready)


def test_warm_up_compiles_the_templates_without_the_database() -> None:
    """No `db` fixture: a query here would fail the test (the master must not share one)."""
    result = warm_up()
    assert result["templates"] > 100
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    loader = backend.engine.template_loaders[0]  # the cached loader
    assert "portal/customer_detail.html" in {key.split("-")[0] for key in loader.get_template_cache}
    assert "django/forms/widgets/select.html" not in loader.get_template_cache  # the forms' own
