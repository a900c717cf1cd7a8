"""Talking to the provider's endpoints: discovery, token, userinfo, revocation.

Each call names its endpoint so a failure says which one failed (DESIGN: errors);
bodies, which may hold tokens, are never logged.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.discovery import discovery_url, process_discovery_response
from brython_oidc.core.errors import TransportError, ValidationError
from brython_oidc.core.token import build_revocation_request, process_token_response

from . import http, keys, timers
from .jsjson import dumps, parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata
    from brython_oidc.core.token import TokenRequest, TokenSet

    from .verify import KeySet


def _http_error(endpoint: str, url: str, status: int) -> TransportError:
    return TransportError(
        endpoint,
        f"HTTP {status}",
        url=url,
        status=status,
        provider_looks_down=status >= 500,
    )


class Provider:
    """The provider as this tab knows it: metadata and keys, fetched once."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.metadata: ProviderMetadata | None = None
        self.keys: KeySet | None = None
        #: The provider answered this page (its discovery document was fetched here,
        #: not read from storage): a top-level redirect to it may follow
        #: (core.startup_plan.PROVIDER_ANSWERS).
        self.answered = False
        #: The discovery request in flight, shared by every caller meanwhile.
        self._discovering: aio.Future | None = None

    async def confirm_answers(self) -> None:
        """Whether the provider answers now: its discovery URL, status only (the stored
        document stays; nothing is parsed). ``TransportError`` when it does not.

        DESIGN "When things go wrong": the top level goes to the provider only after
        it answered this page (core.startup_plan.PROVIDER_ANSWERS).
        """
        if self.answered:
            return
        url = discovery_url(self.config.issuer)
        response = await http.request(
            url,
            endpoint="discovery",
            timeout=self.config.request_timeout,
            started=http.take_started(url),
        )
        if response.status != 200:
            raise _http_error("discovery", url, response.status)
        self.answered = True

    def heard_from(self) -> None:
        """The provider answered this page some other way (the silent iframe's response)."""
        self.answered = True

    def forget(self) -> None:
        """Fetch discovery again next time (after the provider was unreachable, or to
        learn that it answers now)."""
        self.metadata = None
        self.keys = None
        self._discovering = None
        window.sessionStorage.removeItem(self._storage_key())

    async def discover(self) -> ProviderMetadata:
        """The discovery document (OIDC Discovery §4), its issuer checked by core.

        Kept in sessionStorage for ``transaction_ttl`` (as long as the login it
        serves), so the callback page skips one round trip; checked by core again
        when read back, like a fetched one. One request at a time: a login click
        while the logged-out page's prefetch travels waits for that one
        (``startup.prefetch_discovery``) instead of asking again.
        """
        if self.metadata is not None:
            return self.metadata
        stored = self._stored_document()
        if stored is not None:
            try:
                return self._accept(stored)
            except ValidationError:
                window.sessionStorage.removeItem(self._storage_key())  # fetch instead
        discovering = self._discovering
        if discovering is None:
            discovering = self._discovering = http.in_background(self._fetch_discovery())
        metadata, error = await discovering
        if self._discovering is discovering:
            self._discovering = None  # settled: a failure is asked again next time
        if error is not None:
            raise error  # the one request's failure, for every caller
        result: ProviderMetadata = metadata
        return result

    async def _fetch_discovery(self) -> ProviderMetadata:
        url = discovery_url(self.config.issuer)
        document = await self._get_json_object(
            url,
            "discovery",
            check="discovery",
            what="the discovery document",
            started=http.take_started(url),  # the boot file may have sent it already
        )
        metadata = self._accept(document)
        self.answered = True
        record = {"fetched_at": timers.now(), "document": document}
        window.sessionStorage.setItem(self._storage_key(), dumps(record))
        return metadata

    def _accept(self, document: dict[str, object]) -> ProviderMetadata:
        metadata = process_discovery_response(
            document, issuer=self.config.issuer, warn=lambda m: window.console.warn(m)
        )
        self.metadata = metadata
        self.keys = None  # made by key_set(): the callback page's token request goes first
        return metadata

    def _storage_key(self) -> str:
        return keys.discovery_key(keys.namespace(self.config.issuer, self.config.client_id))

    def _stored_document(self) -> dict[str, object] | None:
        """The stored document if younger than ``transaction_ttl``, else None."""
        text = window.sessionStorage.getItem(self._storage_key())
        if not isinstance(text, str):  # JavaScript null when absent
            return None
        try:
            record = parse_json(text)
        except ValueError:
            record = None
        if isinstance(record, dict):
            fetched_at, document = record.get("fetched_at"), record.get("document")
            age = timers.now() - fetched_at if isinstance(fetched_at, (int, float)) else -1
            if isinstance(document, dict) and 0 <= age <= self.config.transaction_ttl:
                return document
        window.sessionStorage.removeItem(self._storage_key())
        return None

    async def key_set(self) -> KeySet:
        metadata = await self.discover()
        if self.keys is None:
            # Imported here: verify (with core.jose and core.id_token) is not needed
            # before the callback page's token request leaves (exchange.send_code).
            from .verify import KeySet

            self.keys = KeySet(metadata, self.config.request_timeout)
        return self.keys

    async def token(self, request: TokenRequest) -> TokenSet:
        """One token request (RFC 6749 §4.1.3 or §6), processed by core (§5.1, §5.2)."""
        response = await http.post_form(
            request.url,
            request.body,
            endpoint="token_endpoint",
            timeout=self.config.request_timeout,
            headers=request.headers,
        )
        return process_token_response(
            response.status,
            response.text,
            parse_json=parse_json,
            now=timers.now(),
            content_type=response.content_type,
        )

    async def userinfo(
        self, access_token: str, token_type: str, id_token_claims: dict[str, object]
    ) -> dict[str, object] | None:
        """The UserInfo response (OIDC Core §5.3), or None when there is no endpoint.

        §5.3.4: its ``sub`` must equal the ID token's, else it must not be used
        (core raises ValidationError check "sub").
        """
        metadata = await self.discover()
        url = metadata.userinfo_endpoint
        if not url:
            return None
        document = await self._get_json_object(
            url,
            "userinfo_endpoint",
            check="userinfo",
            what="the userinfo response",
            headers={"Authorization": f"{token_type} {access_token}", "Accept": "application/json"},
        )
        from brython_oidc.core.id_token import validate_userinfo_sub

        return validate_userinfo_sub(document, id_token_claims)

    async def _get_json_object(
        self,
        url: str,
        endpoint: str,
        *,
        check: str,
        what: str,
        headers: dict[str, str] | None = None,
        started: Any = None,
    ) -> dict[str, object]:
        """GET ``url``; a status other than 200 is a TransportError naming ``endpoint``,
        a body that is not a JSON object a ValidationError(``check``)."""
        response = await http.request(
            url,
            endpoint=endpoint,
            timeout=self.config.request_timeout,
            headers=headers,
            started=started,
        )
        if response.status != 200:
            raise _http_error(endpoint, url, response.status)
        try:
            document = parse_json(response.text)
        except ValueError:
            raise ValidationError(check, f"{what} is not JSON") from None
        else:  # not after the try: tests/server/test_brython_frame_rule.py
            if not isinstance(document, dict):
                raise ValidationError(check, f"{what} is not a JSON object")
            return document

    async def revoke(self, refresh_token: str) -> None:
        """RFC 7009 §2.1: revoke the refresh token, when there is a revocation endpoint."""
        metadata = await self.discover()
        request = build_revocation_request(self.config, metadata, refresh_token, "refresh_token")
        if request is None:
            return
        response = await http.post_form(
            request.url,
            request.body,
            endpoint="revocation_endpoint",
            timeout=self.config.request_timeout,
            headers=request.headers,
        )
        if response.status != 200:  # RFC 7009 §2.2: 200 for success
            raise _http_error("revocation_endpoint", request.url, response.status)
