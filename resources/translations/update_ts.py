"""Bring checkpoint_zh_CN.ts up to date with gui/texts.py, then compile it to .qm.

lupdate cannot see through texts.py's `N()` marker, so this does its job: every source
text of `texts.catalog()` gets a <message>; translations already in the .ts are kept,
new texts are added as "unfinished" for a translator (Qt Linguist opens the file).
Run: .venv/bin/python resources/translations/update_ts.py"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from checkpoint_app.gui.texts import CONTEXT, catalog  # noqa: E402

TS = HERE / "checkpoint_zh_CN.ts"


def existing() -> dict[str, str]:
    if not TS.exists():
        return {}
    root = ET.parse(TS).getroot()
    found = {}
    for m in root.iter("message"):
        t = m.find("translation")
        src = m.findtext("source") or ""
        if t is not None and t.text and t.get("type") != "unfinished":
            found[src] = t.text
    return found


def write(translations: dict[str, str]) -> list[str]:
    root = ET.Element("TS", version="2.1", language="zh_CN")
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    missing = []
    for src in sorted(set(catalog())):
        m = ET.SubElement(ctx, "message")
        ET.SubElement(m, "source").text = src
        t = ET.SubElement(m, "translation")
        if src in translations:
            t.text = translations[src]
        else:
            t.set("type", "unfinished")
            missing.append(src)
    ET.indent(root)
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(root, encoding="unicode")
                  + "\n", encoding="utf-8")
    return missing


def release() -> None:
    exe = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    subprocess.run([exe, "-silent", str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)


if __name__ == "__main__":
    missing = write(existing())
    release()
    for src in missing:
        print(f"untranslated: {src}")
