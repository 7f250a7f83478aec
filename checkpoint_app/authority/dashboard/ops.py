"""Operator pages: register checkpoints from a CSV (the answer is the token sheet), import
statuses from a CSV, revoke a checkpoint's token. Each logs who did what (never a token,
an ID number or a hid)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Response, g, render_template, request

from checkpoint_app.authority import bulk, status_import
from checkpoint_app.authority.dashboard import texts
from checkpoint_app.authority.dashboard.fleet_view import revoked
from checkpoint_app.authority.dashboard.web import bp, dash, lang

log = logging.getLogger("checkpoint.authority.dashboard")
# Rows of one uploaded file: 8 MB of short checkpoint ids are a million rows, 100 s and 1 GB
# of memory for one request, past any proxy's timeout, and a token sheet that never arrives
# (the tokens are kept as hashes only). 100,000 take about 5 s here; larger files are split.
MAX_PAGE_ROWS = 100_000


def _page(message: str | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    d = dash()
    return render_template("ops.html", message=message, error=error, revoked=revoked(d.authority.engine)[:50],
                           hid_key=d.hid_key_path is not None), status


def _csv_text() -> str:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise bulk.BulkError("no file was uploaded")
    raw = upload.stream.read()  # bounded by the server's body limit (server.MAX_UPLOAD_BYTES, 413 beyond)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bulk.BulkError("the file is not UTF-8 text") from None
    if text.count("\n") > MAX_PAGE_ROWS + 1:
        raise bulk.BulkError(f"more than {MAX_PAGE_ROWS:,} rows: split the file")
    return text


@bp.get("/ops")
def ops() -> Any:
    return _page()


@bp.post("/ops/register")
def ops_register() -> Any:
    d = dash()
    try:
        specs = bulk.parse_checkpoints(_csv_text())
    except bulk.BulkError as exc:
        return _page(error=str(exc), status=400)
    sheet = bulk.register_checkpoints(d.authority, specs)
    d.authority.tokens_changed()
    new = sum(1 for r in sheet if r.token)
    log.info("%s registered %d checkpoints (%d already registered)", g.session.username, new, len(sheet) - new)
    stamp = dt.datetime.fromtimestamp(d.now(), dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Response(bulk.token_sheet(sheet), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="token-sheet-{stamp}.csv"'})


@bp.post("/ops/statuses")
def ops_statuses() -> Any:
    d = dash()
    try:
        key = d.hid_key_path.read_bytes() if d.hid_key_path else None
        text = _csv_text()
        changes = bulk.parse_statuses(text, d.now(), key)
    except (bulk.BulkError, OSError) as exc:
        return _page(error=str(exc), status=400)
    done = status_import.import_statuses(d.authority, changes, status_import.file_digest(text.encode()))
    log.info("%s imported %d status changes (%d new)", g.session.username, done.total, done.applied)
    return _page(message=texts.ui("done_statuses", lang(), n=done.applied, seq=done.head))


@bp.post("/ops/revoke")
def ops_revoke() -> Any:
    d = dash()
    cid = request.form.get("checkpoint_id", "").strip()[:64]
    if not bulk.revoke_checkpoint(d.authority.engine, cid, d.now()):
        return _page(error=texts.ui("not_registered", lang(), cid=cid), status=404)
    d.authority.tokens_changed()
    log.info("%s revoked the token of checkpoint %s", g.session.username, cid)
    return _page(message=texts.ui("done_revoke", lang(), cid=cid))
