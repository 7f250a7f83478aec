"""Fixtures for the core tests (see core_pki.py). No Qt here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from checkpoint_app.core.trust.policy import Policy, parse_policy
from tests.support.core_pki import Pki, default_policy_json, make_pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()


@pytest.fixture
def make_policy(pki: Pki) -> Callable[..., Policy]:
    """A policy parsed from the default JSON with some fields changed."""

    def make(**changes: Any) -> Policy:
        doc = default_policy_json() | changes
        return parse_policy(json.dumps(doc).encode())

    return make
