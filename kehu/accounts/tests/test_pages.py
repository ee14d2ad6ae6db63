from __future__ import annotations

from kehu.accounts.models import ApiToken


def test_profile_creates_a_token_shown_once(client, rep):
    client.force_login(rep)
    response = client.post("/profile/", {"name": "ERP 同步", "scope": "read"})
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.user == rep and token.scope == "read"
    page = client.get("/profile/").content.decode()
    assert 'id="new-token"' in page
    raw = page.split('<p class="token">')[1].split("</p>")[0]
    assert ApiToken.hash_token(raw) == token.token_hash
    again = client.get("/profile/").content.decode()
    assert 'id="new-token"' not in again and raw not in again
    assert f'id="token-{token.pk}"' in again
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_profile_revokes_own_tokens_only(client, rep, rep2):
    client.force_login(rep2)
    client.post("/profile/", {"name": "", "scope": "read_write"})
    other = ApiToken.objects.get()
    client.force_login(rep)
    assert client.post(f"/profile/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    client.post("/profile/", {"name": "mine", "scope": "read_write"})
    mine = ApiToken.objects.get(user=rep)
    assert client.post(f"/profile/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
