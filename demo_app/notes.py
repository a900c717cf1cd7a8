"""The notes pages: the app's own API called with the access token (``oidc.fetch``).

``/notes`` lists and adds notes; ``/notes/{id}`` shows one (``GET /api/notes/{id}``).
``oidc.fetch`` adds ``Authorization: Bearer`` only for this origin (and configured
ones); the server validates the token and keys the notes by its ``sub``. A note is
the user's text: it goes into the page as text (``dom.el``), never as markup.
"""

from browser import aio

from brython_oidc.browser.dom import el, replace_children, set_text
from brython_oidc.browser.jsjson import dumps, parse_json

API = "/api/notes"


class NotesPage:
    def __init__(self, oidc):
        self.oidc = oidc
        #: The router's ``url_for`` (set by main.py): links to one note.
        self.url_for = None
        self.result = el("output", data_testid="api-result")
        self.items = el("ul", data_testid="note-list", Class="notes")
        self.input = el(
            "input", data_testid="note-input", placeholder="Write a note", maxlength="500"
        )
        self.add_button = el(
            "button", "Add note", data_testid="add-note-button", Class="button primary"
        )
        self.call_button = el(
            "button", "Load my notes from the API", data_testid="call-api-button", Class="button"
        )
        self.add_button.bind("click", lambda _e: aio.run(self.add()))
        self.call_button.bind("click", lambda _e: aio.run(self.load()))
        self.input.bind("keydown", self.on_key)

    def render(self, _view=None):
        signed_in = self.oidc.is_user_logged_in
        return el(
            "div",
            el("h1", "Your notes"),
            el(
                "p",
                "Stored by this app's server, which accepts only a valid access token.",
                Class="lead",
            ),
            None
            if signed_in
            else el(
                "p",
                "You are not signed in: the API will refuse the call (HTTP 401).",
                Class="muted",
            ),
            el("div", self.input, self.add_button, Class="row"),
            el(
                "div",
                self.call_button,
                el("span", "API says: ", Class="muted"),
                self.result,
                Class="row",
            ),
            self.items,
        )

    def clear(self):
        """Forget what was shown: called when the user signs out (in any tab)."""
        replace_children(self.items)
        self.show("", None)
        self.input.value = ""

    def on_key(self, event):
        if event.key == "Enter":
            aio.run(self.add())

    def render_one(self, view):
        """``/notes/{id}``: drawn at once, filled in when the API answers."""
        body = el("div", el("p", "Loading the note…", Class="muted"))
        aio.run(self.fill_one(view, body))
        return el(
            "div",
            el("p", el("a", "← All notes", href="/notes")),
            el("h1", "Note " + str(view.params["id"])),
            body,
        )

    async def fill_one(self, view, body):
        note_id = view.params["id"]
        try:
            response = await self.oidc.fetch(API + "/" + str(note_id))
            status = int(response.status)
            data = parse_json(str(await response.text()))
        except Exception as exc:  # network failure, or a body that is not JSON
            status, data = 0, {"error": type(exc).__name__}
        if not view.is_current:
            return  # the user went elsewhere meanwhile
        if status == 200 and isinstance(data, dict):
            note = data.get("note") or {}
            replace_children(body, el("p", note.get("text", ""), data_testid="note-text"))
        else:
            detail = data.get("error", "error") if isinstance(data, dict) else "error"
            replace_children(
                body,
                el(
                    "p",
                    "You have no note " + str(note_id) + ". " if status == 404 else "",
                    el("output", "HTTP " + str(status) + ": " + str(detail)),
                    data_testid="note-error",
                    data_status=str(status),
                ),
            )

    async def request(self, method, body=None):
        init = {"method": method}
        if body is not None:
            init["headers"] = {"Content-Type": "application/json"}
            init["body"] = dumps(body)
        try:
            response = await self.oidc.fetch(API, **init)
            status = int(response.status)
            data = parse_json(str(await response.text()))
        except Exception as exc:  # network failure, or a body that is not JSON
            self.show("request failed: " + type(exc).__name__, None)
            return None
        if status >= 400:
            detail = data.get("error", "error") if isinstance(data, dict) else "error"
            self.show("HTTP " + str(status) + ": " + str(detail), status)
            return None
        return data

    def show(self, text, status):
        set_text(self.result, text)
        self.result.attrs["data-status"] = "" if status is None else str(status)

    async def load(self):
        data = await self.request("GET")
        if data is None:
            return
        notes = data.get("notes", [])
        self.show(str(data.get("sub")) + ": " + str(len(notes)) + " note(s)", 200)
        replace_children(self.items, [self.item(note) for note in notes])

    def item(self, note):
        text = note.get("text", "")
        if self.url_for is None or not isinstance(note.get("id"), int):
            return el("li", text, Class="note")
        return el("li", el("a", text, href=self.url_for("note", id=note["id"])), Class="note")

    async def add(self):
        text = str(self.input.value).strip()
        if not text:
            return
        if await self.request("POST", {"text": text}) is not None:
            self.input.value = ""
            await self.load()
