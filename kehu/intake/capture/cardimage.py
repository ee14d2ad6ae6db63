"""Business cards drawn with Pillow and a CJK font (fonts-wqy-microhei): the OCR tests, bench/ocr.py
and the training's card-capture drill (kehu.training.materials) draw them here."""

from __future__ import annotations

from typing import Any

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

LAYOUTS = ("horizontal", "vertical", "two_column", "labelled", "name_title_line")


def _lines(person: dict[str, str], labelled: bool) -> list[tuple[str, int]]:
    english = person["name"].isascii()
    labels = (
        {"mobile": "M: ", "phone": "T: ", "email": "E: ", "address": "Add: ", "website": "W: "}
        if english
        else {
            "mobile": "手机:",
            "phone": "电话:",
            "email": "邮箱:",
            "address": "地址:",
            "website": "网址:",
        }
    )
    out = []
    for key in ("mobile", "phone", "email", "address", "website"):
        if person[key]:
            label = labels[key] if labelled or key in ("mobile", "phone") else ""
            out.append((label + person[key], 26))
    return out


def render_card(person: dict[str, str], layout: str) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    def font(size: int) -> Any:
        return ImageFont.truetype(FONT, size)

    vertical = layout == "vertical"
    image = Image.new("RGB", (620, 1000) if vertical else (1050, 600), "white")
    draw = ImageDraw.Draw(image)
    head = [(person["name"], 52), (person["title"], 30), (person["company"], 32)]
    details = _lines(person, labelled=layout in ("labelled", "vertical"))
    if layout == "name_title_line":
        head = [(f"{person['name']}  {person['title']}", 44), (person["company"], 32)]
    if layout == "two_column":
        y = 80
        for text, size in head:
            for chunk in _wrap(text, 11 if not text.isascii() else 24):
                draw.text((40, y), chunk, fill="black", font=font(size))
                y += size + 30
        y = 60
        for text, _size in details:
            for chunk in _wrap(text, 22 if not text.isascii() else 40):
                draw.text((500, y), chunk, fill=(40, 40, 40), font=font(22))
                y += 60
        return image
    y = 50
    x = 50
    for text, size in head + [("", 10)] + details:
        if not text:
            y += 20
            continue
        for chunk in _wrap(text, 18 if vertical else 34):
            if vertical:
                width = draw.textlength(chunk, font=font(size))
                x = max(20, int((620 - width) / 2))
            draw.text((x, y), chunk, fill="black", font=font(size))
            y += size + (34 if vertical else 22)
    return image


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    if text.isascii():
        words, lines, line = text.split(" "), [], ""
        for word in words:
            if len(line) + len(word) + 1 > width and line:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        return [*lines, line]
    return [text[i : i + width] for i in range(0, len(text), width)]
