"""Business-card OCR: an image -> name, title, company, mobile, phone, email, address, website.

OCR is rapidocr-onnxruntime with the models its wheel ships (offline). The lines it reads are
sorted into fields with regexes, the shared phone/e-mail validators and keyword lists; a field
that cannot be told apart stays empty for the user to fill in before saving.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed
from kehu.core.validators import normalize_email, parse_phone

FIELDS = ("name", "title", "company", "mobile", "phone", "email", "address", "website")

TITLE_WORDS = (
    "总经理", "副总经理", "经理", "总监", "总裁", "董事长", "董事", "主管", "工程师", "主任",
    "部长", "科长", "处长", "院长", "所长", "校长", "教授", "顾问", "专员", "代表", "助理",
    "秘书", "会计", "总工", "合伙人", "创始人", "负责人", "设计师", "律师", "医生", "主编",
    "厂长", "店长", "组长", "行长", "总裁", "架构师", "分析师", "销售", "采购",
    "CEO", "CTO", "CFO", "COO", "VP", "Manager", "Director", "Engineer", "President",
    "Officer", "Consultant", "Sales", "Representative", "Founder", "Partner", "Head of",
    "Specialist", "Assistant", "Chairman", "Executive", "Lead", "Architect", "Analyst",
)  # fmt: skip
COMPANY_WORDS = (
    "有限公司", "有限责任公司", "股份公司", "公司", "集团", "研究院", "研究所", "事务所",
    "工作室", "银行", "医院", "大学", "学院", "工厂", "制造厂", "商行", "门市部", "中心",
    "Co., Ltd", "Co.,Ltd", "Co. Ltd", "Ltd", "Inc", "Corp", "Corporation", "Company", "Group",
    "LLC", "GmbH", "Limited", "Technologies", "Technology", "Industries",
)  # fmt: skip
ADDRESS_WORDS = (
    "省", "市", "区", "县", "镇", "路", "街", "道", "号", "大厦", "大楼", "广场", "园区", "楼",
    "室", "层", "弄", "巷", "村",
)  # fmt: skip
ADDRESS_EN = re.compile(
    r"\b(Road|Rd\.?|Street|St\.|Avenue|Ave\.?|Building|Bldg|Floor|Suite|District|Room)\b", re.I
)
LABEL_RE = re.compile(
    r"^\s*(?:(?P<word>手\s*机|移动电话|电\s*话|座\s*机|固\s*话|办公电话|Tel(?:ephone)?|Phone|Mobile|"
    r"Mob|Cell|邮\s*箱|电子邮件|E-?mail|Mail|网\s*址|网站|Web(?:site)?|URL|地\s*址|Add(?:ress)?|"
    r"Addr|公司|Company|职\s*位|职务|Title|姓名|Name)\s*[:：.]?|(?P<letter>[MTPEWA])\s*[:：])\s*",
    re.I,
)
ADDRESS_LABEL_RE = re.compile(r"^\s*(?:地\s*址|Add(?:ress)?|Addr|A\s*[:：])", re.I)
TITLE_PREFIXES = (
    "总", "副", "董事", "市场", "销售", "采购", "技术", "财务", "人事", "行政", "项目", "客户",
    "设计", "工程", "研发", "生产", "质量", "品质", "运营", "产品", "首席", "高级", "部门", "区域",
    "业务", "执行", "主任", "经理", "主管", "会计", "顾问", "助理", "秘书", "创始", "合伙",
)  # fmt: skip
FAX_RE = re.compile(r"传\s*真|fax|^\s*F\s*[:：]", re.I)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL_RE = re.compile(
    r"(?:https?://)?(?:www\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/\S*)?|https?://[^\s,，]+", re.I
)
PHONE_CHUNK_RE = re.compile(r"\+?[\d(][\d\s()\-–—]{6,}\d(?:\s*(?:转|ext\.?|x)\s*\d{1,6})?", re.I)
CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
EN_NAME_RE = re.compile(r"^[A-Z][a-z]+(?:[ .-][A-Z][a-z]*\.?){1,2}$")
MOBILE_LABEL_RE = re.compile(r"手\s*机|移动|Mob|Cell|^\s*M\s*[:：]", re.I)


@dataclass
class CardFields:
    name: str = ""
    title: str = ""
    company: str = ""
    mobile: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    website: str = ""

    def as_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class OcrLine:
    text: str
    height: float = 0.0
    x: float = 0.0
    y: float = 0.0
    x2: float = 0.0


_engine: Any = None
_engine_lock = threading.Lock()


def ocr_engine() -> Any:
    """The RapidOCR engine, loaded once per process (the models ship inside the wheel)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR

            _engine = RapidOCR()
    return _engine


def open_card_image(data: bytes | bytearray) -> Any:
    """The image in `data`, its pixels not decoded yet; refused (422 on "image") when it is not
    an image or has more than KEHU_CARD_MAX_PIXELS pixels: a 144-megapixel PNG took 0.9 GB."""
    from PIL import Image

    limit = settings.KEHU_CARD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked below
            image = Image.open(io.BytesIO(data))  # reads the header only
        width, height = image.size
    except Image.DecompressionBombError:  # past PIL's own bound: far past ours
        width = height = int((2 * (Image.MAX_IMAGE_PIXELS or limit)) ** 0.5) + 1
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationFailed({"image": [_("This is not an image that can be read.")]}) from exc
    if width * height > limit:
        raise ValidationFailed(
            {
                "image": [
                    _(
                        "The image has %(pixels)s megapixels (%(width)s×%(height)s); at most "
                        "%(limit)s (KEHU_CARD_MAX_PIXELS). Take a smaller photo."
                    )
                    % {
                        "pixels": f"{width * height / 1e6:,.1f}",
                        "width": width,
                        "height": height,
                        "limit": f"{limit / 1e6:,.0f}",
                    }
                ]
            }
        )
    return image


def ocr_lines(image: Any) -> list[OcrLine]:
    """OCR an image (bytes, a PIL image or an array) into lines, top to bottom."""
    import numpy as np
    from PIL import Image, ImageOps

    if isinstance(image, bytes | bytearray):
        image = open_card_image(image)
    if isinstance(image, Image.Image):
        image = ImageOps.exif_transpose(image).convert("RGB")
        if max(image.size) > 1600:  # phone photos: enough pixels for text, far faster
            image.thumbnail((1600, 1600))
        image = np.array(image)
    result, _elapse = ocr_engine()(image)
    lines = []
    for box, text, _score in result or []:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        lines.append(OcrLine(text.strip(), max(ys) - min(ys), min(xs), min(ys), max(xs)))
    lines.sort(key=lambda line: (round(line.y / 10), line.x))
    return [line for line in lines if line.text]


def _strip_label(text: str) -> str:
    return LABEL_RE.sub("", text, count=1).strip(" :：|·")


def _phones_in(text: str) -> list[tuple[str, str]]:
    found = []
    for chunk in PHONE_CHUNK_RE.findall(text):
        try:
            found.append(parse_phone(chunk.strip()))
        except (ValidationError, ValueError):
            continue
    return found


def _is_title(text: str) -> bool:
    return any(word.lower() in text.lower() for word in TITLE_WORDS) and len(text) <= 30


def _is_company(text: str) -> bool:
    return any(word.lower() in text.lower() for word in COMPANY_WORDS) and len(text) >= 4


def _is_address(text: str) -> bool:
    if ADDRESS_EN.search(text) and re.search(r"\d", text):
        return True
    hits = sum(1 for word in ADDRESS_WORDS if word in text)
    return hits >= 2 and bool(re.search(r"\d|号|楼", text))


def _split_name_title(text: str) -> tuple[str, str]:
    """'张伟 销售总监' / '张伟销售总监' -> ('张伟', '销售总监'); else ('', '')."""
    parts = [p for p in re.split(r"[\s|/｜·]+", text) if p]
    if len(parts) == 2 and CJK_NAME_RE.match(parts[0]) and _is_title(parts[1]):
        return parts[0], parts[1]
    if len(parts) == 1 and re.fullmatch(r"[\u4e00-\u9fff]{4,12}", text) and _is_title(text):
        for k in (2, 3):
            title = text[k:]
            if text[:k].startswith(TITLE_PREFIXES) or _is_title(text[:k]):
                continue
            if _is_title(title) and (
                title.startswith(TITLE_PREFIXES) or any(title == w for w in TITLE_WORDS)
            ):
                return text[:k], title
    return "", ""


def _below(line: OcrLine, lines: list[OcrLine]) -> OcrLine | None:
    """The line right under this one in the same column (a wrapped continuation)."""
    if not line.height:
        return None
    under = [
        other
        for other in lines
        if other is not line
        and 0 < other.y - line.y < line.height * 2.4
        and other.x < line.x2
        and other.x2 > line.x
    ]
    return min(under, key=lambda other: other.y) if under else None


def _join(a: str, b: str) -> str:
    space = re.search(r"[A-Za-z,.]$", a) and b[:1].isascii() and b[:1].isalnum()
    return f"{a} {b}" if space else a + b


_SUFFIXES = {w.lower() for w in COMPANY_WORDS} | {"co.,", "co.", "co", "ltd.", "inc.", "corp."}


def _suffix_only(text: str) -> bool:
    """'Technologies Inc', 'Ltd', 'Group': a company's wrapped tail."""
    tokens = [t for t in re.split(r"[\s,]+", text.lower()) if t]
    return bool(tokens) and text.isascii() and all(t in _SUFFIXES for t in tokens)


def _merge_wrapped(lines: list[OcrLine]) -> list[OcrLine]:
    """Join a company or address that the card wraps over two or more lines."""
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            nxt = _below(line, lines)
            if nxt is None:
                continue
            a, b = _strip_label(line.text), nxt.text
            joined = _join(a, b)
            wrapped_company = (
                not _is_company(a)
                and not _is_title(a)
                and _is_company(joined)
                and (not _is_company(b) or _suffix_only(b))
            )
            wrapped_address = (
                (_is_address(line.text) or ADDRESS_LABEL_RE.match(line.text))
                and not _is_company(b)
                and not _is_title(b)
                and not LABEL_RE.match(b)
                and len(b) < 40
            )
            if wrapped_company or wrapped_address:
                line.text = _join(line.text, b)
                line.x2 = max(line.x2, nxt.x2)
                line.y = nxt.y
                lines.remove(nxt)
                changed = True
                break
    return lines


def parse_card(lines: list[OcrLine] | list[str]) -> CardFields:
    """Sort OCR lines into card fields."""
    items = [OcrLine(x) if isinstance(x, str) else x for x in lines]
    card = CardFields()
    rest: list[OcrLine] = []
    for line in items:
        text = line.text.replace("：", ":").strip()
        email = EMAIL_RE.search(text)
        if email:
            if not card.email:
                try:
                    card.email = normalize_email(email.group(0))
                except ValidationError:
                    pass
            continue
        url = URL_RE.search(text)
        if url and not card.website:
            card.website = url.group(0).rstrip("/.")
            continue
        if FAX_RE.search(text):
            continue
        phones = _phones_in(text)
        if phones:
            for number, kind in phones:
                if kind == "mobile" and not card.mobile:
                    card.mobile = number
                elif kind != "mobile" and not card.phone:
                    card.phone = number
            continue
        if re.fullmatch(r"(?:[MTPEWA]|邮箱|网址|E-?mail|Web)\s*:?", text, re.I):
            continue  # a label whose value the OCR put on its own line
        if text.isascii():
            text = re.sub(r",(?=\S)", ", ", text)
        rest.append(OcrLine(text, line.height, line.x, line.y, line.x2))
    names: list[OcrLine] = []
    for line in _merge_wrapped(rest):
        raw = line.text
        text = _strip_label(raw)
        if not text:
            continue
        name, title = _split_name_title(text)
        compact = text.replace(" ", "")
        if name:
            names.append(OcrLine(name, line.height * 1.5, line.x, line.y))
            card.title = card.title or title
        elif ADDRESS_LABEL_RE.match(raw) and not card.address:
            card.address = text
        elif _is_company(text) and not card.company and not _is_address(text):
            card.company = text
        elif _is_address(text) and not card.address:
            card.address = text
        elif _is_title(text) and not card.title:
            card.title = text
        elif CJK_NAME_RE.match(compact):
            names.append(OcrLine(compact, line.height, line.x, line.y))
        elif EN_NAME_RE.match(text):
            names.append(OcrLine(text, line.height, line.x, line.y))
    if names:
        card.name = max(names, key=lambda n: n.height).text
    return card


def read_card(image: Any) -> CardFields:
    return parse_card(ocr_lines(image))
