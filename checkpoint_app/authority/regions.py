"""The administrative divisions of Shanxi (GB/T 2260), for naming a venue's county and city.

A venue id starts with the six-digit code of its county-level division (`140105-mall-0007`:
小店区, 太原市). The city is the code's first four digits followed by `00`. Codes the table
does not hold are still grouped by city when the first four digits name one."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from checkpoint_app.resources import resource

PROVINCE = "140000"
OTHER = "other"  # the bucket for events whose region is not a Shanxi city


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str
    name_en: str = ""
    retired: str = ""

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Divisions:
    by_code: dict[str, Division]

    def cities(self) -> list[Division]:
        return [d for d in self.by_code.values() if d.parent == PROVINCE]

    def counties(self, city: str) -> list[Division]:
        return [d for d in self.by_code.values() if d.parent == city and not d.retired]

    def city_of(self, region: str) -> str:
        """The city code of a county code, or OTHER."""
        code = f"{region[:4]}00" if len(region) == 6 and region.isdigit() else ""
        return code if code in self.by_code and code != PROVINCE else OTHER

    def level(self, code: str) -> str:
        if code == PROVINCE:
            return "province"
        return "city" if code in self.by_code and self.by_code[code].parent == PROVINCE else "county"

    def name(self, code: str, lang: str = "zh") -> str:
        d = self.by_code.get(code)
        return d.label(lang) if d else code


@cache
def shanxi() -> Divisions:
    path = resource("dashboard", "gb2260-shanxi.csv")
    with path.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        table = {r["code"]: Division(r["code"], r["name"], r["parent"], r["name_en"], r["retired"]) for r in rows}
    return Divisions(table)
