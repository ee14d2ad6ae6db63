"""The tag rules' writes: save and delete (admins and data stewards), a retroactive run as a Job;
atomic and audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.audit.actions import AuditAction
from kehu.audit.services import audit_record
from kehu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kehu.core.jobs import job_start
from kehu.core.models import Job
from kehu.core.text import clean_text
from kehu.interactions.models import Interaction

from ..models import KeywordTagRule, Tag, TagDecayRule
from .apply import rule_run

EDIT_ROLES = (Role.ADMIN, Role.STEWARD)
RUN_JOB = "tags.keyword_rule_run"
MAX_WORDS = 50


def can_edit_tag_rules(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in EDIT_ROLES)


def _require_editor(actor: User) -> None:
    if not can_edit_tag_rules(actor):
        raise PermissionDenied(_("Only administrators and data stewards may change tag rules."))


def _words(raw: Any, field: str, *, required: bool) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    words: list[str] = []
    for item in raw or []:
        word = clean_text(item)
        if word and word not in words:
            if len(word) > 30:
                raise ValidationFailed({field: [_("A word has at most 30 characters.")]})
            words.append(word)
    if required and not words:
        raise ValidationFailed({field: [_("Give at least one word.")]})
    if len(words) > MAX_WORDS:
        raise ValidationFailed({field: [_("At most 50 words.")]})
    return words


def _library_tag(raw: Any, field: str) -> Tag:
    tag = _tag(raw, field)
    assert tag is not None  # required: _tag raised otherwise
    return tag


def _tag(raw: Any, field: str, *, required: bool = True) -> Tag | None:
    name = clean_text(raw)
    if not name:
        if required:
            raise ValidationFailed({field: [_("Choose a tag from the library.")]})
        return None
    tag = Tag.objects.filter(name=name, is_active=True).first()
    if tag is None:
        raise ValidationFailed({field: [_("This tag is not in the library.")]})
    return tag


def _name(raw: Any, model: Any, rule_id: int | None) -> str:
    name = clean_text(raw)
    if not name or len(name) > 100:
        raise ValidationFailed({"name": [_("Name the rule (at most 100 characters).")]})
    if model.objects.filter(name=name).exclude(pk=rule_id).exists():
        raise ValidationFailed({"name": [_("Another rule has this name.")]})
    return name


def _get(model: Any, rule_id: int | None) -> Any:
    if rule_id is None:
        return model()
    rule = model.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such rule."))
    return rule


@transaction.atomic
def keyword_rule_save(
    *, actor: User, data: dict[str, Any], rule_id: int | None = None
) -> KeywordTagRule:
    _require_editor(actor)
    rule: KeywordTagRule = _get(KeywordTagRule, rule_id)
    rule.name = _name(data.get("name"), KeywordTagRule, rule_id)
    rule.tag = _library_tag(data.get("tag"), "tag")
    rule.keywords = _words(data.get("keywords"), "keywords", required=True)
    negations = data.get("negations")
    if negations is not None:
        rule.negations = _words(negations, "negations", required=False)
    texts = data.get("texts")
    if texts is not None:
        known = set(KeywordTagRule.Text.values)
        texts = [t for t in dict.fromkeys(texts) if t]
        if not texts or any(t not in known for t in texts):
            raise ValidationFailed({"texts": [_("Choose the texts the rule reads.")]})
        rule.texts = texts
    rule.is_active = bool(data.get("is_active", True))
    rule.save()
    audit_record(actor=actor, action=AuditAction.TAG_RULE_SAVED, target=rule, note=str(rule))
    return rule


@transaction.atomic
def decay_rule_save(
    *, actor: User, data: dict[str, Any], rule_id: int | None = None
) -> TagDecayRule:
    _require_editor(actor)
    rule: TagDecayRule = _get(TagDecayRule, rule_id)
    rule.name = _name(data.get("name"), TagDecayRule, rule_id)
    kind = data.get("kind")
    if kind not in TagDecayRule.Kind.values:
        raise ValidationFailed({"kind": [_("Choose the kind of rule.")]})
    rule.kind = kind
    rule.tag = _library_tag(data.get("tag"), "tag")
    rule.replace_with = _tag(data.get("replace_with"), "replace_with", required=False)
    if rule.replace_with is not None and rule.replace_with.pk == rule.tag.pk:
        raise ValidationFailed({"replace_with": [_("A tag cannot be replaced by itself.")]})
    rule.days = rule.streak = None
    rule.outcomes = []
    if kind == TagDecayRule.Kind.EXPIRY:
        rule.days = _count(data.get("days"), "days", 1, 3650)
    else:
        rule.streak = _count(data.get("streak"), "streak", 1, 50)
        outcomes = [o for o in dict.fromkeys(data.get("outcomes") or []) if o]
        if not outcomes or any(o not in Interaction.Feedback.values for o in outcomes):
            raise ValidationFailed({"outcomes": [_("Choose the outcomes that count.")]})
        rule.outcomes = outcomes
    rule.is_active = bool(data.get("is_active", True))
    rule.save()
    audit_record(actor=actor, action=AuditAction.TAG_RULE_SAVED, target=rule, note=str(rule))
    return rule


def _count(raw: Any, field: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if not low <= value <= high:
        raise ValidationFailed(
            {
                field: [
                    _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
            }
        )
    return value


@transaction.atomic
def tag_rule_delete(*, actor: User, rule: KeywordTagRule | TagDecayRule) -> None:
    _require_editor(actor)
    label = str(rule)
    audit_record(actor=actor, action=AuditAction.TAG_RULE_DELETED, target=rule, note=label)
    rule.delete()


@transaction.atomic
def keyword_rule_run_start(*, actor: User, rule: KeywordTagRule) -> Job:
    """Queue a run of the rule over every existing text (the worker runs it; a Job shows it)."""
    _require_editor(actor)
    from ..tasks import autotag_run  # tasks import this module when they run

    return job_start(
        kind=RUN_JOB,
        title=_("Keyword tag rule: %(name)s") % {"name": rule.name},
        actor=actor,
        task=autotag_run,
        rule_id=rule.pk,
    )


def keyword_rule_run_now(
    *, rule_id: int, progress: Callable[[int, str], None] | None = None, actor: User | None = None
) -> dict[str, Any]:
    """Run the rule over every existing text now (the worker's task, `kehu tags_autotag`)."""
    rule = KeywordTagRule.objects.select_related("tag").get(pk=rule_id)
    result = rule_run(rule, progress=progress)
    audit_record(
        actor=actor,
        action=AuditAction.TAG_RULE_RUN,
        target=rule,
        changes={"tag": rule.tag.name, **result},
    )
    return result
