"""The notes page: the app's own API called with the access token (``oidc.fetch``).

``oidc.fetch`` adds ``Authorization: Bearer`` only for this origin (and configured
ones); the server validates the token and keys the notes by its ``sub``.
"""

from browser import aio, html

from brython_oidc.browser.jsjson import dumps, parse_json

API = "/api/notes"


def hook(factory, testid, text="", **attrs):
    attrs["data-testid"] = testid
    return factory(text, **attrs)


class NotesPage:
    def __init__(self, oidc):
        self.oidc = oidc
        self.result = hook(html.OUTPUT, "api-result")
        self.items = hook(html.UL, "note-list")
        self.input = hook(html.INPUT, "note-input", placeholder="Write a note", maxlength="500")
        self.add_button = hook(html.BUTTON, "add-note-button", "Add note")
        self.call_button = hook(html.BUTTON, "call-api-button", "Load my notes from the API")
        self.add_button.bind("click", lambda _e: aio.run(self.add()))
        self.call_button.bind("click", lambda _e: aio.run(self.load()))

    def render(self):
        return html.DIV(
            html.H1("Your notes")
            + html.P("Stored by this app's server, which accepts only a valid access token.")
            + html.P(
                ""
                if self.oidc.is_user_logged_in
                else "You are not signed in: the API will refuse the call (HTTP 401)."
            )
            + self.call_button
            + html.P(html.STRONG("API says: ") + self.result)
            + html.DIV(self.input + self.add_button)
            + self.items
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
            self.show(f"request failed: {type(exc).__name__}", None)
            return None
        if status >= 400:
            detail = data.get("error", "error") if isinstance(data, dict) else "error"
            self.show(f"HTTP {status}: {detail}", status)
            return None
        return data

    def show(self, text, status):
        self.result.text = text
        self.result.attrs["data-status"] = "" if status is None else str(status)

    async def load(self):
        data = await self.request("GET")
        if data is None:
            return
        notes = data.get("notes", [])
        self.show(f"{data.get('sub')}: {len(notes)} note(s)", 200)
        self.items.clear()
        for note in notes:
            self.items.appendChild(html.LI(note.get("text", ""), Class="note"))

    async def add(self):
        text = str(self.input.value).strip()
        if not text:
            return
        if await self.request("POST", {"text": text}) is not None:
            self.input.value = ""
            await self.load()
