"""The notes page: the app's own API called with the access token (``oidc.fetch``).

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

    def render(self):
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
        replace_children(
            self.items, [el("li", note.get("text", ""), Class="note") for note in notes]
        )

    async def add(self):
        text = str(self.input.value).strip()
        if not text:
            return
        if await self.request("POST", {"text": text}) is not None:
            self.input.value = ""
            await self.load()
