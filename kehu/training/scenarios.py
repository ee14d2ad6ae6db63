"""Scenarios as data: JSON files shipped in kehu/training/scenarios/ and any folder named in
KEHU_TRAINING_SCENARIO_DIRS (an administrator's own; a file with a shipped id replaces it).

A file holds one scenario:
    {"id": "basic-create-customer", "version": 1, "stage": "basic", "order": 10,
     "needs": {"apps": ["kehu.customers"], "roles": ["rep", "admin"]},
     "title": {"zh-hans": "…", "en": "…"}, "goal": {"zh-hans": "…", "en": "…"},
     "steps": [{"name": "mobile", "title": {…}, "hint": {…},
                "check": {"name": "customer_contact_mobile", "params": {}}}],
     "answer": {"name": "source", "choices": "sources"},          # analysis only
     "materials": [{"file": "list.xlsx", "maker": "messy_customers", "title": {…}}]}
A scenario is listed only when the apps it needs are installed and the trainee's role is one it
names (no roles: every role); a check it names must be registered (kehu.training.checks), and so must the maker of a file it
hands the trainee (kehu.training.materials)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import get_language

from .checks.registry import CHECKS
from .materials import MATERIALS

logger = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parent / "scenarios"
STAGES = ("basic", "drill", "analysis")


class ScenarioError(ValueError):
    """A scenario file that cannot be used: the message names the file and the problem."""


def _text(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("zh-hans") or not value.get("en"):
        raise ScenarioError(f"{where}: needs 'zh-hans' and 'en' texts")
    return {"zh-hans": str(value["zh-hans"]), "en": str(value["en"])}


def _local(texts: dict[str, str]) -> str:
    return texts["en"] if (get_language() or "").startswith("en") else texts["zh-hans"]


@dataclass(frozen=True)
class Step:
    name: str
    titles: dict[str, str]
    hints: dict[str, str]
    check: str
    params: dict[str, Any]

    @property
    def title(self) -> str:
        return _local(self.titles)

    @property
    def hint(self) -> str:
        return _local(self.hints)


@dataclass(frozen=True)
class MaterialFile:
    """A file the trainee downloads from the scenario page (made by a registered maker)."""

    file: str
    maker: str
    titles: dict[str, str]

    @property
    def title(self) -> str:
        return _local(self.titles)


@dataclass(frozen=True)
class Scenario:
    id: str
    version: int
    stage: str
    order: int
    titles: dict[str, str]
    goals: dict[str, str]
    steps: tuple[Step, ...]
    apps: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    answer: dict[str, str] = field(default_factory=dict)
    materials: tuple[MaterialFile, ...] = ()
    path: str = ""

    @property
    def title(self) -> str:
        return _local(self.titles)

    @property
    def goal(self) -> str:
        return _local(self.goals)

    def material(self, file: str) -> MaterialFile | None:
        return next((m for m in self.materials if m.file == file), None)

    def is_available_to(self, role: str) -> bool:
        if any(not apps.is_installed(name) for name in self.apps):
            return False
        return not self.roles or role in self.roles


def scenario_parse(raw: dict[str, Any], where: str) -> Scenario:
    try:
        steps = []
        for index, step in enumerate(raw["steps"]):
            at = f"{where} step {index + 1}"
            check = step["check"]
            if check["name"] not in CHECKS:
                raise ScenarioError(f"{at}: unknown check {check['name']!r}")
            steps.append(
                Step(
                    name=str(step["name"]),
                    titles=_text(step["title"], at),
                    hints=_text(step["hint"], at),
                    check=str(check["name"]),
                    params=dict(check.get("params", {})),
                )
            )
        stage = str(raw["stage"])
        if stage not in STAGES:
            raise ScenarioError(f"{where}: stage must be one of {', '.join(STAGES)}")
        materials = []
        for index, item in enumerate(raw.get("materials", [])):
            at = f"{where} material {index + 1}"
            if item["maker"] not in MATERIALS:
                raise ScenarioError(f"{at}: unknown maker {item['maker']!r}")
            name = str(item["file"])
            if not name or "/" in name or name.startswith("."):
                raise ScenarioError(f"{at}: a file name without folders")
            materials.append(MaterialFile(name, str(item["maker"]), _text(item["title"], at)))
        needs = raw.get("needs", {})
        if not steps:
            raise ScenarioError(f"{where}: a scenario needs at least one step")
        return Scenario(
            id=str(raw["id"]),
            version=int(raw["version"]),
            stage=stage,
            order=int(raw.get("order", 100)),
            titles=_text(raw["title"], f"{where} title"),
            goals=_text(raw["goal"], f"{where} goal"),
            steps=tuple(steps),
            apps=tuple(needs.get("apps", ())),
            roles=tuple(needs.get("roles", ())),
            answer=dict(raw.get("answer", {})),
            materials=tuple(materials),
            path=where,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"{where}: {exc!r}") from exc


def scenarios_load(*, strict: bool = False) -> dict[str, Scenario]:
    """Every scenario by id, shipped ones first, then the administrators' folders. A file that
    cannot be used is logged and left out (`strict`: raised, naming the file and the problem)."""
    found: dict[str, Scenario] = {}
    folders = [SHIPPED, *(Path(d) for d in settings.KEHU_TRAINING_SCENARIO_DIRS)]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                try:
                    raw = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise ScenarioError(f"{path.name}: {exc}") from exc
                scenario = scenario_parse(raw, path.name)
            except ScenarioError:
                if strict:
                    raise
                logger.exception("Scenario file %s left out", path)
                continue
            found[scenario.id] = scenario
    return dict(
        sorted(found.items(), key=lambda item: (STAGES.index(item[1].stage), item[1].order))
    )


def scenarios_for(role: str) -> list[Scenario]:
    return [s for s in scenarios_load().values() if s.is_available_to(role)]
