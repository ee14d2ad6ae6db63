"""The training pages: the hub for each kind of user, creating a workspace from it, a
scenario's page and its htmx check, the managers' team progress."""

from __future__ import annotations

from kehu.training.models import CheckRun, Workspace


def test_the_hub_without_a_workspace_says_who_creates_one(client, rep):
    client.force_login(rep)
    page = client.get("/training/").content.decode()
    assert "管理员或数据专员会为您创建" in page
    assert "按标准新建客户" in page  # the scenarios are listed all the same
    assert 'id="training-manage"' not in page


def test_an_administrator_creates_a_workspace_from_the_hub(client, admin_user, rep):
    client.force_login(admin_user)
    assert 'id="training-manage"' in client.get("/training/").content.decode()
    response = client.post("/training/workspaces/new/", {"trainee": rep.pk})
    assert response.status_code == 302
    workspace = Workspace.objects.get(trainee=rep)
    from kehu.training import databases

    databases.drop(databases.workspace_database(workspace.pk))


def test_a_rep_cannot_create_a_workspace_from_the_page(client, rep, rep2):
    client.force_login(rep)
    client.post("/training/workspaces/new/", {"trainee": rep2.pk})
    assert not Workspace.objects.exists()


def test_the_scenario_page_and_its_check(client, workspace_for, rep, manager):
    workspace_for(rep)
    client.force_login(rep)
    page = client.get("/training/scenarios/basic-create-customer/").content.decode()
    assert "使用工商注册全称" in page and 'id="check-button"' in page
    assert 'id="scenario-enter"' in page  # not in training yet
    result = client.post("/training/scenarios/basic-create-customer/check/").content.decode()
    assert "您还没有在培训环境中新建客户。" in result and 'data-passed="false"' in result
    assert CheckRun.objects.filter(trainee=rep).count() == 1
    assert client.get("/training/scenarios/drill-merge-duplicate/").status_code == 404
    # The manager sees the rep's progress.
    client.force_login(manager)
    team = client.get("/training/").content.decode()
    assert 'id="training-team"' in team and "张销售" in team
