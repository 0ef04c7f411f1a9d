"""Errors at the web edge: every failure becomes a JSON body ``{"error", "message", ...}``.

Bad input is a 4xx, never a 500: library input errors (:class:`~spicetrader.errors.InputError`,
unknown names with their suggestions) -> 422, request validation -> 422 with the field paths,
a body over the limit -> 413 (see :mod:`spicetrader.web.limits`), too many requests waiting ->
503. A broken catalog data file is the server's fault (500, with the file, line and field);
anything else is a 500 without details.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from spicetrader.errors import CatalogDataError, InputError, SpiceError

__all__ = ["error_body", "install_error_handlers", "validation_details"]

_log = logging.getLogger("spicetrader.web")

UNPROCESSABLE = 422


def error_body(error: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": error, "message": message, **extra}


def validation_details(errors: Sequence[Any]) -> list[dict[str, object]]:
    """Pydantic/FastAPI errors reduced to what a client needs: the field path, message, type.

    The offending input and the context objects are dropped: they can be large or not JSON.
    """
    details: list[dict[str, object]] = []
    for err in errors:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        details.append({"loc": loc, "msg": str(err.get("msg", "invalid")), "type": err.get("type")})
    return details


def _validation_response(errors: Sequence[Any]) -> JSONResponse:
    details = validation_details(errors)
    summary = "; ".join(f"{_dotted(d['loc'])}: {d['msg']}" for d in details)
    return JSONResponse(
        error_body("ValidationError", f"invalid input: {summary}", errors=details),
        status_code=UNPROCESSABLE,
    )


def _dotted(loc: object) -> str:
    parts = loc if isinstance(loc, list) else []
    return ".".join(str(p) for p in parts) or "body"


def _on_spice_error(exc: SpiceError) -> JSONResponse:
    from spicetrader.web.compute_pool import BusyError

    if isinstance(exc, BusyError):
        return JSONResponse(exc.to_dict(), status_code=503, headers={"retry-after": "1"})
    if isinstance(exc, InputError):
        return JSONResponse(exc.to_dict(), status_code=UNPROCESSABLE)
    if isinstance(exc, CatalogDataError):
        _log.error("catalog data error: %s", exc)
        return JSONResponse(exc.to_dict(), status_code=500)
    return JSONResponse(exc.to_dict(), status_code=400)


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""

    @app.exception_handler(RequestValidationError)
    async def on_request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc.errors())

    @app.exception_handler(ValidationError)
    async def on_pydantic_validation(_: Request, exc: ValidationError) -> JSONResponse:
        return _validation_response(exc.errors())

    @app.exception_handler(SpiceError)
    async def on_spice_error(_: Request, exc: SpiceError) -> JSONResponse:
        return _on_spice_error(exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        _log.error("unexpected error while serving a request", exc_info=exc)
        return JSONResponse(
            error_body("InternalError", "the server failed on this request; see its log"),
            status_code=500,
        )
