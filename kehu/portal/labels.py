"""Choice labels whose English word means two things (feedback "Interested" vs status
"Interested"; stage "Won" vs status "Won"): translated with a context, so Chinese tells them apart.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from kehu.interactions.models import Interaction
from kehu.opportunities.selectors import stage_label  # the pipeline's words (赢单/输单)

FEEDBACK_LABELS: dict[str, Any] = {
    Interaction.Feedback.INTERESTED: pgettext_lazy("interaction feedback", "Interested"),
}


def feedback_label(value: str) -> Any:
    return FEEDBACK_LABELS.get(value) or dict(Interaction.Feedback.choices).get(value, value)


__all__ = ["feedback_choices", "feedback_label", "stage_label"]


def feedback_choices() -> list[tuple[str, Any]]:
    return [(value, feedback_label(value)) for value, _label in Interaction.Feedback.choices]
