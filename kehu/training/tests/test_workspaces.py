"""Workspaces: created by administrators and stewards, isolated from the live database both
ways, reset to the sandbox, and the trainee's requests run inside theirs."""

from __future__ import annotations

from kehu.accounts.models import User
from kehu.audit.models import AuditEntry
from kehu.customers.models import Customer
from kehu.training.middleware import SESSION_KEY
from kehu.training.models import Workspace

from .conftest import inside

NEW_CUSTOMER = {
    "name": "杭州培训隔离测试有限公司",
    "mobile": "13900001111",
}


def test_admin_creates_a_workspace_and_a_rep_may_not(api, admin_user, rep, rep2):
    api.login(rep)
    response = api.post("/api/v1/training/workspaces", {"trainee": "rep2"})
    assert response.status_code == 403
    assert not Workspace.objects.exists()
    api.login(admin_user)
    response = api.post("/api/v1/training/workspaces", {"trainee": "rep"})
    assert response.status_code == 201, response.content
    workspace = Workspace.objects.get()
    assert workspace.trainee == rep and workspace.created_by == admin_user
    assert AuditEntry.objects.filter(action="training.workspace_created").count() == 1
    with inside(workspace):
        copy = User.objects.get(pk=rep.pk)
        assert (copy.username, copy.role, copy.team_id) == ("rep", "rep", rep.team_id)
        assert Customer.objects.count() > 50  # the sandbox


def test_a_trainee_sees_only_their_own_workspace(api, workspace_for, rep, rep2):
    mine = workspace_for(rep)
    theirs = workspace_for(rep2)
    api.login(rep)
    listed = api.get("/api/v1/training/workspaces").json()
    assert [w["id"] for w in listed] == [mine.pk]
    assert api.get(f"/api/v1/training/workspaces/{theirs.pk}/progress").status_code == 404
    assert api.post(f"/api/v1/training/workspaces/{theirs.pk}/reset").status_code == 404


def test_nothing_done_in_training_reaches_the_live_database(client, api, workspace_for, rep):
    workspace = workspace_for(rep)
    live_customers = Customer.objects.count()
    live_entries = AuditEntry.objects.count()
    api.login(rep)
    assert client.post("/training/enter/").status_code == 302
    response = api.post("/api/v1/customers", NEW_CUSTOMER)
    assert response.status_code == 201, response.content
    number = response.json()["customer_no"]
    # Live: untouched.
    assert Customer.objects.count() == live_customers
    assert not Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()
    assert AuditEntry.objects.count() == live_entries
    # The workspace has it, and the pages show it to the trainee.
    with inside(workspace):
        assert Customer.objects.filter(customer_no=number, created_by_id=rep.pk).exists()
    page = client.get(f"/customers/{number}/")
    assert page.status_code == 200
    assert 'id="training-banner"' in page.content.decode()


def test_nothing_done_live_reaches_the_workspace(client, api, workspace_for, rep):
    workspace = workspace_for(rep)
    api.login(rep)
    response = api.post("/api/v1/customers", NEW_CUSTOMER)  # not in training: live
    assert response.status_code == 201, response.content
    assert Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()
    with inside(workspace):
        assert not Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()
    client.post("/training/enter/")
    listed = api.get("/api/v1/customers", q=NEW_CUSTOMER["name"]).json()
    assert listed["items"] == []


def test_leaving_training_shows_the_live_system(client, api, workspace_for, rep):
    workspace_for(rep)
    api.login(rep)
    client.post("/training/enter/")
    assert client.session[SESSION_KEY]
    assert 'id="training-banner"' in client.get("/").content.decode()
    client.post("/training/leave/")
    assert SESSION_KEY not in client.session
    assert 'id="training-banner"' not in client.get("/").content.decode()


def test_reset_throws_the_trainees_work_away(client, api, workspace_for, rep):
    workspace = workspace_for(rep)
    api.login(rep)
    client.post("/training/enter/")
    assert api.post("/api/v1/customers", NEW_CUSTOMER).status_code == 201
    with inside(workspace):
        assert Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()
    response = api.post(f"/api/v1/training/workspaces/{workspace.pk}/reset")
    assert response.status_code == 200, response.content
    assert response.json()["reset_at"]
    with inside(workspace):
        assert not Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()
        assert User.objects.filter(pk=rep.pk).exists()
