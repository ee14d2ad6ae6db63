"""Mapping presets are owned: personal or shared with the team; only the owner changes them."""

from __future__ import annotations

import pytest

from kehu.audit.models import AuditEntry
from kehu.intake.models import MappingPreset

pytestmark = pytest.mark.django_db

MAPPING = {"公司": "name", "手机": "decision_maker.mobile"}


def _save(client, name: str, mapping: dict[str, str], **extra):
    return client.post(
        "/api/v1/import-presets",
        {"name": name, "mapping": mapping, **extra},
        content_type="application/json",
    )


def test_the_same_name_is_a_preset_per_owner(client, rep, rep2):
    client.force_login(rep)
    assert _save(client, "我们的模板", MAPPING).status_code == 201
    client.force_login(rep2)
    response = _save(client, "我们的模板", {"单位": "name"})
    assert response.status_code == 201
    assert MappingPreset.objects.filter(name="我们的模板").count() == 2
    mine = MappingPreset.objects.get(owner=rep)
    assert mine.mapping["公司"] == "name"  # rep2 did not overwrite it
    names = [p["name"] for p in client.get("/api/v1/import-presets").json() if not p["builtin"]]
    assert names == ["我们的模板"]  # rep's personal preset is not rep2's to see


def test_a_shared_preset_is_used_by_the_team_but_changed_by_its_owner_only(
    client, rep, rep2, outsider, admin_user
):
    client.force_login(rep)
    preset_id = _save(client, "华东", MAPPING, is_shared=True).json()["id"]
    entries = AuditEntry.objects.count()

    client.force_login(rep2)
    listed = {p["name"]: p for p in client.get("/api/v1/import-presets").json()}
    assert listed["华东"]["owner"] == "rep" and listed["华东"]["can_change"] is False
    denied = client.patch(
        f"/api/v1/import-presets/{preset_id}", {"mapping": {}}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert client.delete(f"/api/v1/import-presets/{preset_id}").status_code == 403
    client.force_login(outsider)  # another team: not even visible
    assert client.delete(f"/api/v1/import-presets/{preset_id}").status_code == 404
    assert "华东" not in [p["name"] for p in client.get("/api/v1/import-presets").json()]
    assert MappingPreset.objects.get(pk=preset_id).mapping["公司"] == "name"
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing logged

    client.force_login(rep)
    changed = client.patch(
        f"/api/v1/import-presets/{preset_id}",
        {"name": "华东2", "is_shared": False},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["is_shared"] is False
    client.force_login(admin_user)
    assert client.delete(f"/api/v1/import-presets/{preset_id}").status_code == 204
    assert not MappingPreset.objects.filter(pk=preset_id).exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["import.preset_changed", "import.preset_deleted"]


def test_the_page_deletes_only_ones_own_preset(client, rep, rep2):
    preset = MappingPreset.objects.create(owner=rep, name="mine", mapping=MAPPING)
    client.force_login(rep2)
    assert client.post(f"/imports/presets/{preset.pk}/delete/").status_code == 404
    client.force_login(rep)
    assert client.post(f"/imports/presets/{preset.pk}/delete/").status_code == 302
    assert not MappingPreset.objects.exists()
