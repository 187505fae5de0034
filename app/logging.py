"""Structured JSON logs carrying the request id; personal ID numbers are masked before output."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from app.context import request_id_var

# GB 11643 resident ID numbers (18 characters, also residence permits) and the 15-digit first generation.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_LEGACY_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)[-1]}", text)
    return _LEGACY_ID_NUMBER.sub(lambda m: f"{m.group(1)}******{m.group(2)[-1]}", text)


def _mask(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_id_numbers(v) if isinstance(v, str) else v for k, v in event.items()}


def _request_id(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    rid = request_id_var.get()
    if rid:
        event.setdefault("request_id", rid)
    return event


def configure_logging(level: str = "INFO") -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _request_id,
        structlog.processors.format_exc_info,
        _mask,
        structlog.processors.JSONRenderer(ensure_ascii=False),
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    # uvicorn's own access log would print raw URLs (which may carry ID numbers in ?q=); ours masks.
    logging.getLogger("uvicorn.access").disabled = True
