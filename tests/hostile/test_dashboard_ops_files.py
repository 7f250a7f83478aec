"""An unlucky operator (and a hostile file) on the operator pages: CSV files that break the
csv module, a million rows, GBK, a BOM and CRLF, ids a spreadsheet runs as formulas,
effective times that are no times (or an ID number in the wrong column), ID numbers a
spreadsheet mangled. Each is a 400 with its line and nothing of the file applied, in
seconds; nothing echoes an ID number."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from checkpoint_app.authority import statuslog
from checkpoint_app.authority.dashboard.web import HID_KEY_ENV
from checkpoint_app.authority.db import checkpoints, status_log
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.core.identity import check_character
from tests.support.dashboard_client import DashboardClient
from tests.support.hostile_dashboard import Site, running_site

HID = "0123456789abcdef0123456789abcdef"
FIRST17 = "14010519900307123"
ID_NUMBER = FIRST17 + check_character(FIRST17)


@pytest.fixture(scope="module")
def hid_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "hid.key"
    path.write_bytes(secrets.token_bytes(32))
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, hid_key: Path) -> Iterator[Site]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(HID_KEY_ENV, str(hid_key))
        with running_site(tmp_path_factory.mktemp("ops")) as s:
            yield s


@pytest.fixture(scope="module")
def admin(site: Site) -> DashboardClient:
    return site.admin()


def _upload(admin: DashboardClient, what: str, data: bytes) -> requests.Response:
    return admin.post(f"/dashboard/ops/{what}", files={"file": ("file.csv", data, "text/csv")})


def _registered(site: Site) -> int:
    with site.authority.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(checkpoints)).scalar() or 0)


def _error(resp: requests.Response) -> str:
    found = re.search(r'id="ops-error">([^<]*)<', resp.text)
    assert found, resp.text[-1000:]
    return found.group(1)


def _refused(resp: requests.Response, message: str) -> None:
    assert resp.status_code == 400, resp.text[:500]
    assert message in resp.text, resp.text[-2000:]


@pytest.mark.parametrize(("data", "message"), [
    (b"checkpoint_id\n" + b"A" * 200_000 + b"\n", "line 2: not a CSV line"),
    (b"checkpoint_id,venue_id\nOK-1,140105-a\n\"" + b"B" * 140_000 + b"\n", "line 3: not a CSV line"),
    ("checkpoint_id,venue_type\n太原-1,商场\n".encode("gbk"), "the file is not UTF-8 text"),
    ("checkpoint_id\nU16-1\n".encode("utf-16"), "the file is not UTF-8 text"),
    (b"checkpoint_id\nOK-2\n=HYPERLINK(\"x\")\n", "line 3: a checkpoint id does not start with = + - or @"),
    (b"checkpoint_id\n+1-2\n", "line 2: a checkpoint id does not start with"),
    (b"checkpoint_id\n-2+3\n", "line 2: a checkpoint id does not start with"),
    (b"checkpoint_id\n@SUM(A1)\n", "line 2: a checkpoint id does not start with"),
    (b"checkpoint_id,venue_id\nV-1,\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6-x\n", "line 2: a venue id starts"),
    (b"checkpoint_id,venue_id\nV-2,140105-\x1b[31m\n", "line 2: a venue id starts"),
    (b"checkpoint_id,venue_type\nV-3,mall\x07\n", "line 2: a venue type is printable text"),
])
def test_a_bad_checkpoint_file_is_refused_whole_with_its_line(site: Site, admin: DashboardClient, data: bytes,
                                                              message: str) -> None:
    before = _registered(site)
    _refused(_upload(admin, "register", data), message)
    assert _registered(site) == before


def test_a_million_rows_are_refused_in_seconds_not_registered_for_minutes(site: Site, admin: DashboardClient) -> None:
    rows = b"checkpoint_id\n" + b"".join(b"m%06d\n" % i for i in range(1_000_000))
    assert len(rows) < 8 * 2**20  # within the body limit: the rows are the problem, not the bytes
    before, started = _registered(site), time.monotonic()
    _refused(_upload(admin, "register", rows), "more than 100,000 rows: split the file")
    assert time.monotonic() - started < 30
    assert _registered(site) == before


def test_a_file_saved_by_excel_with_bom_crlf_and_spaces_registers(site: Site, admin: DashboardClient) -> None:
    data = "\ufeffcheckpoint_id , venue_id ,venue_type\r\nXL-0001 , 140105-mall-0007 , mall\r\n".encode()
    resp = _upload(admin, "register", data)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(resp.text)))
    assert (row["checkpoint_id"], row["venue_id"]) == ("XL-0001", "140105-mall-0007")
    assert row["token"].startswith("XL-0001.")
    assert site.station("GET", "/v1/policy", row["token"]).status_code == 200


def _head(site: Site) -> int:
    return statuslog.head(site.authority.engine)


@pytest.mark.parametrize("effective_at", [
    "9" * 5000,  # int() refuses more than 4300 digits: a 500
    "²",  # str.isdigit() says yes, int() says no: a 500
    str(2**70),  # past SQLite's INTEGER: a 500
    "110101199003074477",  # an ID number in the column beside: was stored as a time
    "1583000000000",  # milliseconds: the year 52,000
    "4102444800",  # 2100-01-01, past the events' range
    "0001-01-01 00:00",
    "0",
    "2020-02-30 08:00",
])
def test_an_effective_time_that_is_no_time_is_refused_without_echoing_it(site: Site, admin: DashboardClient,
                                                                       effective_at: str) -> None:
    head = _head(site)
    resp = _upload(admin, "statuses", f"hid,color,effective_at\n{HID},red,{effective_at}\n".encode())
    _refused(resp, "line 2: effective_at is Unix seconds or YYYY-MM-DD HH:MM (China time) between 2020-01-01")
    assert effective_at not in _error(resp).replace("2020-01-01", "").replace("2100-01-01", "")
    assert _head(site) == head


def test_reason_codes_in_full_width_digits_are_refused(site: Site, admin: DashboardClient) -> None:
    head = _head(site)
    _refused(_upload(admin, "statuses", f"hid,color,reasons\n{HID},red,１０３\n".encode()),
             "line 2: reasons are numbers separated by")
    assert _head(site) == head


@pytest.mark.parametrize("mangled", [
    "1.40105E+17",  # Excel's number format
    "140105199003071000",  # Excel's 15 significant digits
    FIRST17,  # the X or last digit lost
    FIRST17 + str((int(check_character(FIRST17).replace("X", "10")) + 1) % 10),  # wrong check character
    "14010519901307123" + "0",  # the 13th month
])
def test_an_id_number_a_spreadsheet_mangled_is_refused_not_hashed_into_nobody(site: Site, admin: DashboardClient,
                                                                              mangled: str) -> None:
    head = _head(site)
    resp = _upload(admin, "statuses", f"id_number,color,reasons\n{ID_NUMBER},green,\n{mangled},red,103\n".encode())
    _refused(resp, "line 3: id_number is not a valid resident ID number")
    assert mangled not in resp.text
    assert _head(site) == head


def test_a_valid_id_number_as_typed_gives_the_hid_of_set_status(
        site: Site, admin: DashboardClient, hid_key: Path, caplog: pytest.LogCaptureFixture) -> None:
    spaced = f" {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:].lower()} "
    resp = _upload(admin, "statuses", f"id_number,color,reasons\n{spaced},red,103\n".encode())
    assert resp.status_code == 200, resp.text[-1000:]
    assert ID_NUMBER not in resp.text and ID_NUMBER not in caplog.text
    with site.authority.engine.connect() as conn:
        hids = {bytes(h) for h in conn.execute(select(status_log.c.hid)).scalars()}
    assert hid_for(hid_key.read_bytes(), ID_NUMBER) in hids
