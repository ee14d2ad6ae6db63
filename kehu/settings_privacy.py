"""Settings of privacy, connected applications, audit anchoring and training (issues 19 and
20), star-imported at the end of kehu.settings (which stays under the 500-line module limit).
Every name here is read from the environment like the rest of the settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kehu import settings as _base
from kehu.settings import DATA_DIR, KEHU_PRODUCTION, env_bool, env_int, env_list

# Training (kehu.training): workspaces copy a small sandbox of this many customers; scenario
# files in these folders join the shipped ones; an assessment lasts this long and passes at this
# share of its steps; with REQUIRE_CERTIFICATION a user imports or merges only once certified.
KEHU_TRAINING_SANDBOX_CUSTOMERS = env_int("KEHU_TRAINING_SANDBOX_CUSTOMERS", 60)
KEHU_TRAINING_SCENARIO_DIRS = env_list("KEHU_TRAINING_SCENARIO_DIRS", "")
KEHU_TRAINING_ASSESSMENT_MINUTES = env_int("KEHU_TRAINING_ASSESSMENT_MINUTES", 60)
KEHU_TRAINING_PASS_PERCENT = env_int("KEHU_TRAINING_PASS_PERCENT", 80)
KEHU_TRAINING_REQUIRE_CERTIFICATION = env_bool("KEHU_TRAINING_REQUIRE_CERTIFICATION", False)

# Audit anchoring (kehu.audit.services.anchor): a daily Ed25519-signed checkpoint of the change
# log's hash chain, kept outside the database. The signing key: KEHU_AUDIT_SIGNING_KEY (PEM or
# base64 of the 32 raw bytes), else the file (0600, created at the first checkpoint); never in the
# database. Checkpoints go to the folder and/or are POSTed to the webhook (JSON).
KEHU_AUDIT_SIGNING_KEY = os.environ.get("KEHU_AUDIT_SIGNING_KEY", "")
KEHU_AUDIT_SIGNING_KEY_FILE = Path(
    os.environ.get("KEHU_AUDIT_SIGNING_KEY_FILE", DATA_DIR / "audit-signing.key")
)
KEHU_AUDIT_CHECKPOINT_DIR = os.environ.get(
    "KEHU_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints")
)
KEHU_AUDIT_CHECKPOINT_WEBHOOK = os.environ.get("KEHU_AUDIT_CHECKPOINT_WEBHOOK", "")
KEHU_AUDIT_CHECKPOINT_HOUR = env_int("KEHU_AUDIT_CHECKPOINT_HOUR", 1)  # local time; -1: off
# A checkpoint also keeps the hash of every Nth entry since the previous one, so that a rewrite
# found by `kehu audit_verify --checkpoint` is named within N entries.
KEHU_AUDIT_CHECKPOINT_STRIDE = env_int("KEHU_AUDIT_CHECKPOINT_STRIDE", 100)

# --- Connected applications: OAuth 2.0 through django-oauth-toolkit (kehu.accounts.oauth).
# Authorization code with PKCE (required), client credentials for server-to-server; the scopes
# and what each opens are kehu/accounts/oauth/scopes.py. Redirect URIs must be https://, or
# also http:// outside production (a developer's localhost).
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "kehu.accounts.oauth.scopes.ApplicationScopes",
    "OAUTH2_VALIDATOR_CLASS": "kehu.accounts.oauth.validators.KehuOAuth2Validator",
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if KEHU_PRODUCTION else ["https", "http"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("KEHU_OAUTH_ACCESS_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("KEHU_OAUTH_REFRESH_TOKEN_SECONDS", 30 * 86400),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    # RFC 9700 (OAuth 2.0 Security BCP), so that `kehu check --deploy` passes: no implicit or
    # password grant, PKCE S256 only, tokens only in the Authorization header, `iss` in the
    # authorization response, tokens stored as hashes only, a replayed refresh token revokes
    # its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# The toolkit's own models (named so that migrations can depend on them).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
# Data-subject requests (issue 19, kehu.privacy): days until a request is due. PIPL gives 15
# working days, GDPR 30 days; the default counts 15 calendar days, the stricter reading.
KEHU_PRIVACY_REQUEST_DAYS = env_int("KEHU_PRIVACY_REQUEST_DAYS", 15)
# Local hour at which a running `kehu db_worker` runs the enabled retention policies (-1: never).
KEHU_RETENTION_HOUR = env_int("KEHU_RETENTION_HOUR", 3)
# Encryption at rest of personal fields (kehu.core.crypto, issue 19): AES-256-GCM keys by version
# ("1:<base64 32 bytes>,2:<...>", the highest is current) and the HMAC key of the blind indexes,
# from the environment; else from KEHU_ENCRYPTION_KEY_FILE (created at first use, 0600), never in
# the database. KEHU_ENCRYPTION=false stores new values in clear (bench comparison only); values
# already encrypted stay readable.
KEHU_ENCRYPTION = env_bool("KEHU_ENCRYPTION", True)
KEHU_ENCRYPTION_KEYS = os.environ.get("KEHU_ENCRYPTION_KEYS", "")
KEHU_BLIND_INDEX_KEY = os.environ.get("KEHU_BLIND_INDEX_KEY", "")
KEHU_ENCRYPTION_KEY_FILE = Path(
    os.environ.get("KEHU_ENCRYPTION_KEY_FILE", DATA_DIR / "encryption_keys.json")
)
# Two-factor sign-in: which roles, until an administrator chooses on /settings/company/ ("all":
# every role). KEHU_REQUIRE_2FA=false (kehu.settings) overrides both (a local sandbox).
KEHU_2FA_ROLES = env_list("KEHU_2FA_ROLES", "manager,admin,steward")
# The import's bulk path (issue 21, kehu/intake/services/execute.py): files of at least this many
# rows (or `kehu import --bulk`) load without search documents or per-customer audit entries in
# step, in batches of KEHU_IMPORT_BULK_BATCH_SIZE rows; the search index catches up after the load.
KEHU_IMPORT_BULK_ROWS = env_int("KEHU_IMPORT_BULK_ROWS", 50_000)
KEHU_IMPORT_BULK_BATCH_SIZE = env_int("KEHU_IMPORT_BULK_BATCH_SIZE", 5000)

# A database restart (issue 21): a kept connection (CONN_MAX_AGE) is checked before a request
# reuses it, so the first request after PostgreSQL comes back reconnects instead of failing on
# the dead connection; while it is down, requests answer 503 (kehu.core.outage).
_databases: dict[str, dict[str, Any]] = vars(_base)["DATABASES"]  # read while it imports us
for _database in _databases.values():
    _database["CONN_HEALTH_CHECKS"] = env_bool("KEHU_DB_CONN_HEALTH_CHECKS", True)

# PostgreSQL: no JIT compilation on Kehu's connections unless KEHU_PG_JIT. Its queries are short;
# PostgreSQL compiles a plan whenever the planner's cost estimate passes jit_above_cost, and
# correlated subqueries inflate that estimate: at 1,000,000 customers the funnel's 0.2 s query
# spent 2.0 s compiling (docs/PERFORMANCE.md, issue 18).
KEHU_PG_JIT = env_bool("KEHU_PG_JIT", False)
if not KEHU_PG_JIT:
    for _database in _databases.values():
        if "postgresql" in _database["ENGINE"]:
            _options = _database.setdefault("OPTIONS", {})
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# The named reports over each active rep's book and manager's team (kehu.reports.people, issue
# 18): stored at the weekly run and again by the dashboard refresh once older than this (0: never
# stored; reps and managers then get them live); read while younger than twice this.
KEHU_PEOPLE_REPORT_SECONDS = env_int("KEHU_PEOPLE_REPORT_SECONDS", 24 * 3600)
