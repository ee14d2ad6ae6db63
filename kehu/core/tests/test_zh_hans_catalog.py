"""Issue 15: the zh_Hans catalogue is complete and compiled.

Like `msgattrib --untranslated` / `--only-fuzzy`, in Python (no polib): every entry of
kehu/locale/zh_Hans/LC_MESSAGES/django.po has a translation, none is fuzzy, and the committed
django.mo says what the .po says (run `make messages`, translate, compile: docs/DEVELOPING.md).
"""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import kehu

LOCALE = Path(kehu.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _text(quoted: str) -> str:
    return str(ast.literal_eval(quoted))


def po_entries(path: Path) -> list[Entry]:
    """The .po's entries (obsolete `#~` ones left out), each with its flags."""
    entries: list[Entry] = []
    parts: dict[str, str] = {}  # keyword -> text: msgctxt, msgid, msgid_plural, msgstr[n]
    flags: set[str] = set()
    first = 0
    last = ""

    def finish() -> None:
        nonlocal parts, flags, first
        if "msgid" in parts:
            entries.append(
                Entry(
                    context=parts.get("msgctxt"),
                    msgid=parts["msgid"],
                    plural=parts.get("msgid_plural"),
                    msgstr=[v for k, v in sorted(parts.items()) if k.startswith("msgstr")],
                    flags=flags,
                    line=first,
                )
            )
        parts, flags, first = {}, set(), 0

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            parts[last] += _text(line)
        else:
            last, _space, rest = line.partition(" ")
            parts[last] = _text(rest)
            first = first or number
    finish()
    return entries


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = [e for e in po_entries(LOCALE / "django.po") if e.msgid]
    assert len(entries) > 1000
    untranslated = [f"{e.line}: {e.msgid!r}" for e in entries if not all(e.msgstr)]
    fuzzy = [f"{e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], "untranslated: run make messages and translate (DEVELOPING.md)"
    assert fuzzy == [], "fuzzy: check each translation and drop the flag"


def test_the_compiled_catalogue_matches_the_po() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in po_entries(LOCALE / "django.po"):
        if not entry.msgid or "fuzzy" in entry.flags:
            continue
        key = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
        if entry.plural is None:
            shown = compiled.gettext(key)
        else:
            shown = compiled.ngettext(key, entry.plural, 1)
        if shown != entry.msgstr[0]:
            stale.append(f"{entry.line}: {entry.msgid!r}")
    assert stale == [], "django.mo is older than django.po: run compilemessages"


def test_the_parser_sees_what_msgattrib_sees(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "你好 %(name)s"\n\n'
        '#, fuzzy\nmsgid "Bye"\nmsgstr "再见"\n\n'
        'msgctxt "stage"\nmsgid "Won"\nmsgstr ""\n\n'
        'msgid "Long "\n"text"\nmsgstr ""\n"长"\n"文本"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e for e in po_entries(po) if e.msgid}
    assert set(entries) == {"Hello %(name)s", "Bye", "Won", "Long text"}
    assert entries["Bye"].flags >= {"fuzzy"} and "fuzzy" not in entries["Hello %(name)s"].flags
    assert entries["Won"].context == "stage" and entries["Won"].msgstr == [""]
    assert entries["Long text"].msgstr == ["长文本"]
