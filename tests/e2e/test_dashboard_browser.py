"""The dashboard in headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium) after a demo day of scans: log in through the form, wait for the charts, and
check that the numbers on the page equal /v1/stats, and the no-phone lookups and manual
records per city those the demo day uploaded, in Chinese and in English; the fleet page too.

Screenshots go to the test's folder; with CHECKPOINT_SCREENSHOTS=DIR they are also kept
there (docs/images holds the ones in the documentation), as small palette PNGs."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from checkpoint_app.authority.regions import shanxi
from tests.support.dashboard_province import ADMIN, NOT_REFUSED, PASSWORD, Province

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.needs_programs("chromium", "chromedriver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1280,1500"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})  # headless ignores --lang
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _log_in(driver: Any, url: str) -> None:
    driver.get(f"{url}/dashboard/")
    driver.find_element(By.ID, "username").send_keys(ADMIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-button").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "kpis"))


def _charts_ready(driver: Any) -> None:
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-charts"))
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "ready"
    for chart in ("chart-days", "chart-hours", "chart-children"):
        canvas = driver.find_element(By.CSS_SELECTOR, f"#{chart} canvas")
        assert int(canvas.get_attribute("width")) > 200, chart


def _kpi(driver: Any, key: str) -> int:
    return int(driver.find_element(By.ID, f"kpi-{key}").text.replace(",", ""))


def _column(driver: Any, table: str, key: str, col: str) -> dict[str, int]:
    out = {}
    for row in driver.find_elements(By.CSS_SELECTOR, f"#{table} tr[data-{key}]"):
        out[row.get_attribute(f"data-{key}")] = int(row.find_element(By.CSS_SELECTOR, f"td[data-col={col}]").text)
    return out


def _check_sources(driver: Any, made: dict[str, Counter[str]]) -> None:
    """No-phone lookups and manual records, per city and in all, as the demo day made them."""
    everything = sum(made.values(), Counter[str]())
    assert (_kpi(driver, "id_lookups"), _kpi(driver, "manual")) == (everything["id_lookup"], everything["manual"])
    for col, source in (("id_lookups", "id_lookup"), ("manual", "manual")):
        shown = _column(driver, "ranked", "code", col)
        assert shown == {code: made.get(code, Counter())[source] for code in shown}, col
        assert {c for c, n in shown.items() if n} == {c for c, n in made.items() if n[source]}, col


def _check_numbers(driver: Any, stats: dict[str, Any]) -> None:
    assert _kpi(driver, "scans") == stats["total"]
    for color in ("green", "yellow", "red", "none"):
        assert _kpi(driver, color) == stats["by_color"].get(color, 0), color
    assert _kpi(driver, "fevers") == stats["by_fever"]["true"]
    refused = {a: n for a, n in stats["by_action"].items() if a not in NOT_REFUSED}
    assert _kpi(driver, "refused") == sum(refused.values())
    assert _column(driver, "refusals", "action", "count") == refused
    per_city: Counter[str] = Counter()
    for region, n in stats["by_region"].items():
        per_city[shanxi().city_of(region)] += n
    assert {c: n for c, n in _column(driver, "ranked", "code", "scans").items() if n} == dict(per_city)
    assert {d: n for d, n in _column(driver, "per-day", "day", "scans").items() if n} == stats["by_day"]


def _shot(driver: Any, tmp_path: Path, name: str) -> Path:
    """The whole page, no more (the window takes its content's height for the shot), as a
    small palette PNG."""
    path = tmp_path / name
    size = driver.get_window_size()
    height = driver.execute_script("return Math.ceil(Math.max(...Array.from(document.body.children, "
                                   "e => e.getBoundingClientRect().bottom + window.scrollY))) + 16")
    chrome = size["height"] - driver.execute_script("return window.innerHeight")
    driver.set_window_size(size["width"], min(3000, height + chrome))
    driver.save_screenshot(str(path))
    driver.set_window_size(size["width"], size["height"])
    with Image.open(path) as img:
        assert img.width >= 1200 and len(img.convert("L").getcolors(2**16) or []) > 20  # not a blank page
        small = img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    keep = os.environ.get("CHECKPOINT_SCREENSHOTS")
    if keep:
        shutil.copy(path, Path(keep) / name)
    return path


def test_dashboard_in_chromium_shows_the_stats_in_zh_and_en(province: Province, browser: Any,
                                                            tmp_path: Path) -> None:
    stats = province.stats()
    _log_in(browser, province.url)
    assert browser.current_url.endswith("/dashboard/area/140000")
    _charts_ready(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert "太原市" in browser.find_element(By.ID, "ranked").text
    _check_numbers(browser, stats)
    _check_sources(browser, province.sources_per_city())
    _shot(browser, tmp_path, "dashboard-zh.png")
    browser.get(f"{province.url}/dashboard/fleet")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#fleet tr[data-offline='1']")) == 2
    assert "临汾市" in browser.find_element(By.ID, "fleet").text
    _shot(browser, tmp_path, "dashboard-fleet-zh.png")
    browser.get(f"{province.url}/dashboard/area/140000")
    _charts_ready(browser)

    browser.find_element(By.ID, "lang-switch").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    _charts_ready(browser)
    assert "Taiyuan" in browser.find_element(By.ID, "ranked").text
    _check_numbers(browser, stats)
    _check_sources(browser, province.sources_per_city())
    _shot(browser, tmp_path, "dashboard-en.png")

    browser.get(f"{province.url}/dashboard/fleet")
    flagged = browser.find_elements(By.CSS_SELECTOR, "#fleet tr[data-offline='1']")
    assert len(flagged) == 2
    _shot(browser, tmp_path, "dashboard-fleet-en.png")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_logout_in_chromium_returns_to_the_login_form(province: Province, browser: Any) -> None:
    _log_in(browser, province.url)
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "login-button"))
    browser.get(f"{province.url}/dashboard/fleet")
    assert "/dashboard/login" in browser.current_url
