"""Words for opportunity stages, shared by the write rules and the list's filters."""

from __future__ import annotations

from kehu.core.validators import build_aliases

from .models import Opportunity

STAGE_ALIASES = build_aliases(
    Opportunity.Stage,
    {
        "initial_contact": ["初步接洽", "接洽"],
        "needs_confirmed": ["需求确认"],
        "proposal": ["方案报价", "报价"],
        "negotiation": ["商务谈判", "谈判"],
        # the statuses' words, which the stages' labels read as before they had a context
        "won": ["赢单", "成交客户"],
        "lost": ["输单", "流失客户"],
    },
)
