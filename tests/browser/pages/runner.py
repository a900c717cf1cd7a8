"""Test-page runner: import a page module, await its main(), publish the result.

The result goes to ``window.__result`` as JSON text (Brython's own dict-to-JS
conversion is not relied on); an exception becomes ``{"error": ..., "message": ...}``.
"""

from browser import aio, window


def _dumps(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return window.JSON.stringify(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_dumps(str(k)) + ":" + _dumps(v) for k, v in value.items()) + "}"
    return _dumps(repr(value))


async def _run(name):
    try:
        module = __import__(name)
        result = await module.main()
        window.__result = _dumps({"ok": True, "value": result})
    except Exception as exc:  # reported to the test, not swallowed
        window.__result = _dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)})


def start(name):
    aio.run(_run(name))
