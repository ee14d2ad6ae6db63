"""Keyword auto-tags and decaying tags (issue 17).

- keywords: the matcher (jieba-segmented clauses, negation in the same clause before the keyword).
- texts: where the texts come from (interaction summaries, chat captures, customer notes,
  follow-up notes) and reading them set-based for a retroactive run.
- apply: putting matched tags on customers, one at a time (on save) or set-based (a run).
- events: on save — the change log's listener (kehu.audit.events) and its cursor.
- decay: expiry and streak rules, set-based, with history.
- services: the rules' writes (atomic, audited).
"""
