"""Training fixtures: a trainee with a workspace, and helpers to act inside it."""

from __future__ import annotations

from typing import Any

import pytest

from kehu.accounts.models import Role, User
from kehu.conftest import make_user
from kehu.training import databases
from kehu.training.models import Workspace
from kehu.training.services import workspace_create


@pytest.fixture
def steward(db: Any) -> User:
    return make_user("steward", Role.STEWARD, display_name="何数据")


def inside(workspace: Workspace) -> Any:
    """A block that reads and writes the workspace's database."""
    return databases.activated(databases.workspace_database(workspace.pk))


@pytest.fixture
def workspace_for(admin_user: User) -> Any:
    made: list[Workspace] = []

    def make(trainee: User) -> Workspace:
        workspace = workspace_create(actor=admin_user, trainee=trainee)
        made.append(workspace)
        return workspace

    yield make
    for workspace in made:
        databases.drop(databases.workspace_database(workspace.pk))
