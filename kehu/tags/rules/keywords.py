"""The keyword matcher: a rule fires on a text when one of its keywords is a run of whole jieba
tokens in a clause and no negation word (a whole token) comes before it in that clause.

Clauses are split on ，。！？；,.!?; and line ends, so "没有预算有限的问题" does not fire and
"预算有限，但不着急" does (the 不 is in the next clause). The rules' keywords and negation words
go into jieba's dictionary (add_word), so that a phrase like 预算有限 segments as one token; a
keyword jieba still splits matches when its characters line up with token boundaries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

logger = logging.getLogger(__name__)

CLAUSE_SPLIT = re.compile(r"[，。！？；：,.!?;:\n\r…]+")
SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")
EVIDENCE_MAX = 300
_known_words: set[str] = set()


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words_load(words: Iterable[str]) -> None:
    """Teach jieba the rules' keywords and negation words (once each per process)."""
    jieba = None
    for word in words:
        word = word.strip()
        if word and word not in _known_words:
            jieba = jieba or _jieba()
            jieba.add_word(word, freq=100_000)
            _known_words.add(word)


@dataclass(frozen=True)
class Matcher:
    """One rule's keywords and negation words, ready to test texts."""

    rule_id: int
    keywords: tuple[str, ...]
    negations: frozenset[str]

    @classmethod
    def of(cls, rule: Any) -> Matcher:
        keywords = tuple(k.strip() for k in rule.keywords or [] if str(k).strip())
        negations = frozenset(n.strip() for n in rule.negations or [] if str(n).strip())
        words_load([*keywords, *negations])
        return cls(rule_id=rule.pk, keywords=keywords, negations=negations)

    def could_match(self, text: str) -> bool:
        return any(keyword in text for keyword in self.keywords)

    def match(self, text: str) -> str | None:
        """The sentence of the first un-negated keyword in `text`, or None."""
        if not text or not self.could_match(text):
            return None
        for sentence in SENTENCE_SPLIT.split(text):
            for clause in CLAUSE_SPLIT.split(sentence):
                if clause.strip() and self._clause_matches(clause):
                    return sentence.strip()[:EVIDENCE_MAX]
        return None

    def _clause_matches(self, clause: str) -> bool:
        if not self.could_match(clause):
            return False
        tokens = _jieba().lcut(clause, HMM=True)
        starts, ends, offset = {}, {}, 0
        for index, token in enumerate(tokens):
            starts[offset] = index
            offset += len(token)
            ends[offset] = index
        for keyword in self.keywords:
            position = clause.find(keyword)
            while position >= 0:
                first = starts.get(position)
                last = ends.get(position + len(keyword))
                if first is not None and last is not None:
                    if not any(token in self.negations for token in tokens[:first]):
                        return True
                position = clause.find(keyword, position + 1)
        return False


def matchers_for(rules: Sequence[Any]) -> list[tuple[Any, Matcher]]:
    return [(rule, Matcher.of(rule)) for rule in rules]
