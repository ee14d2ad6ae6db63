"""Business-card OCR speed and accuracy: seconds per card on this CPU (target ≤ 3 s).

    python -m bench.ocr                 # the 20 test cards, 2 passes after a warm-up
    python -m bench.ocr --json out.json

Draws the 20 cards of kehu/intake/capture/tests/cardgen.py (Pillow + WenQuanYi Micro Hei),
loads the RapidOCR engine once (its load time is reported apart), then reads every card
(OCR + field parsing, what POST /api/v1/capture/card does) and times each read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default="")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--requests", type=int, default=0, help="ignored (bench/run.py protocol)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    os.environ.setdefault("KEHU_FAST_PASSWORD_HASHER", "true")
    import django

    django.setup()
    from kehu.core.validators import parse_phone
    from kehu.intake.capture.cards import ocr_engine, read_card
    from kehu.intake.capture.tests.cardgen import cards

    started = time.perf_counter()
    ocr_engine()
    load_seconds = time.perf_counter() - started
    deck = cards()
    read_card(deck[0][2])  # warm-up
    times, right, total = [], 0, 0
    for _ in range(args.passes):
        for person, _layout, image in deck:
            t0 = time.perf_counter()
            got = read_card(image).as_json()
            times.append(time.perf_counter() - t0)
            for key, value in person.items():
                expected = parse_phone(value)[0] if value and key in ("mobile", "phone") else value
                total += 1
                right += got[key] == expected
    result = {
        "cards": len(deck),
        "passes": args.passes,
        "engine_load_seconds": round(load_seconds, 2),
        "seconds_per_card": {
            "mean": round(statistics.mean(times), 3),
            "p50": round(statistics.median(times), 3),
            "max": round(max(times), 3),
        },
        "fields_right": round(right / total, 4),
        "target_seconds": TARGET_SECONDS,
        "met": statistics.mean(times) <= TARGET_SECONDS,
        "machine": {"cpus": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
