"""One exception type for everything a user can get wrong, rendered once.

Views raise :class:`WebError` (or let the library's ``FazhiError`` through); the
handlers registered here turn it into an HTML error page or, for ``*.json`` URLs,
``{"ok": false, "error": …}`` with the same status.  User input never ends in a 500.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Chinese titles for the statuses a user can meet.
_TITLES = {
    400: "无法理解这个请求",
    404: "找不到这个页面",
    405: "不支持这种请求方式",
    500: "服务器出错了",
    503: "搜索暂时不可用",
}


class WebError(Exception):
    """A user-facing error: ``message`` says what went wrong, ``hint`` what to do."""

    def __init__(self, message: str, status: int = 400, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.hint = hint

    def to_dict(self) -> dict:
        """The error as ``{"ok": false, "status", "error", "hint"}``."""
        data = {"ok": False, "status": self.status, "error": self.message}
        if self.hint:
            data["hint"] = self.hint
        return data


def wants_json() -> bool:
    """The JSON twins all end in ``.json``; errors answer in the same format."""
    return request.path.endswith(".json")


def render_error(error: WebError):
    """The error as JSON for a ``.json`` URL, else as the error page, with its status."""
    if wants_json():
        return error.to_dict(), error.status
    page = dict(error.to_dict(), title=_TITLES.get(error.status, "出错了"))
    return render_template("error.html", page=page), error.status


def from_search_error(exc: Exception) -> WebError:
    """The library's ``FazhiError`` carries its own status (400, 404, 503…)."""
    from indexer.api import IndexDamaged, IndexMissing

    if isinstance(exc, IndexDamaged):
        return WebError(f"索引文件已损坏，暂时无法搜索。（{exc}）", 503,
                        "请运行 python -m indexer build 重建索引；python -m indexer check --deep 可检查索引。")
    if isinstance(exc, IndexMissing):
        return WebError(f"还没有建立索引，暂时无法搜索。（{exc}）", 503,
                        "请先运行 python -m indexer build（或 python -m search_web，它会先建索引）。")
    status = getattr(exc, "status", 400)
    default = "请检查链接是否完整。" if status == 404 else "可以去掉引号、冒号等符号后再试，或展开“搜索语法”查看写法。"
    return WebError(str(exc) or _TITLES.get(status, "出错了"), status, getattr(exc, "hint", "") or default)


def register(app: Flask) -> None:
    """Install the error handlers: every error a user can meet answers as a page or JSON, never a 500 traceback."""
    app.register_error_handler(WebError, render_error)
    _register_search_error(app)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _register_search_error(app: Flask) -> None:
    from indexer.api import FazhiError

    app.register_error_handler(FazhiError, lambda exc: render_error(from_search_error(exc)))


def _http_error(exc: HTTPException):
    if exc.code == 404:
        return render_error(WebError("没有这个页面。", 404, "请从首页重新搜索。"))
    return render_error(WebError(exc.description or _TITLES.get(exc.code, "出错了"), exc.code or 400))


def _unexpected(exc: Exception):
    log.exception("unexpected error on %s", request.path)
    return render_error(WebError("处理请求时出现意外错误。", 500, "请稍后再试；如果一直出现，请告诉维护者。"))
