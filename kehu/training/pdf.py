"""The certificate as a PDF (fpdf2), in the Debian font fonts-wqy-microhei for the Chinese;
without that font on the server the PDF is not offered (the page still is)."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Certificate

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def pdf_available() -> bool:
    return FONT.is_file()


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    from fpdf import FPDF

    from .scenarios import scenarios_load

    known = scenarios_load()
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_page()
    pdf.add_font("wqy", fname=str(FONT))
    pdf.set_font("wqy", size=28)
    pdf.cell(0, 24, _("Training certificate"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("wqy", size=16)
    issued = timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d")
    lines = [
        _("Trainee: %(name)s") % {"name": certificate.trainee.label},
        _("Date: %(date)s") % {"date": issued},
        _("Score: %(score)s of %(max)s steps")
        % {"score": certificate.score, "max": certificate.max_score},
        _("Scenarios:"),
    ]
    for item in certificate.scenario_versions:
        scenario = known.get(item["id"])
        title = scenario.title if scenario else item["id"]
        lines.append(f"  · {title}（v{item['version']}）")
    for line in lines:
        pdf.cell(0, 11, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
