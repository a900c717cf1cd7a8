from __future__ import annotations

import base64
import hashlib

import pytest

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.id_token import (
    at_hash_from_digest,
    validate_id_token_claims,
    validate_userinfo_sub,
)

NOW = 1_800_000_000.0
LEEWAY = 60.0
ISSUER = "https://op.example/realms/demo"
CLIENT = "demo-spa"
NONCE = "n-0S6_WzA2Mj"


def good(**changes: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW - 1,
        "nonce": NONCE,
        "auth_time": NOW - 10,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not DROP}


DROP = object()


def validate(claims: object, **kwargs: object) -> dict[str, object]:
    options: dict[str, object] = {
        "issuer": ISSUER,
        "client_id": CLIENT,
        "nonce": NONCE,
        "now": NOW,
        "leeway": LEEWAY,
    }
    options.update(kwargs)
    return validate_id_token_claims(claims, **options)  # type: ignore[arg-type]


def fails(check: str, claims: object, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate(claims, **kwargs)
    assert exc.value.check == check, exc.value.message
    return exc.value


def test_good_claims_pass_and_come_back_as_a_copy() -> None:
    claims = good()
    result = validate(claims)
    assert result == claims
    result["sub"] = "x"
    assert claims["sub"] == "248289761001"


def test_not_an_object() -> None:
    fails("claims", ["iss"])


# Step 2
@pytest.mark.parametrize("iss", [ISSUER + "/", ISSUER.upper(), "https://evil.example", ""])
def test_issuer_must_match_exactly(iss: str) -> None:
    error = fails("iss", good(iss=iss))
    assert error.expected == ISSUER
    assert error.actual == iss


@pytest.mark.parametrize("iss", [DROP, None, 1, [ISSUER]])
def test_issuer_missing_or_not_a_string(iss: object) -> None:
    fails("iss", good(iss=iss))


# Step 3
def test_aud_list_containing_client_passes() -> None:
    assert validate(good(aud=[CLIENT], azp=CLIENT))["aud"] == [CLIENT]


@pytest.mark.parametrize("aud", ["other", ["other"], ["demo-spa-2"]])
def test_aud_must_contain_the_client(aud: object) -> None:
    error = fails("aud", good(aud=aud))
    assert error.expected == CLIENT


@pytest.mark.parametrize("aud", [DROP, None, 3, [], [CLIENT, 3], {"a": CLIENT}])
def test_aud_type(aud: object) -> None:
    fails("aud", good(aud=aud))


def test_untrusted_extra_audience_is_refused() -> None:
    error = fails("aud", good(aud=[CLIENT, "api"], azp=CLIENT))
    assert error.actual == ["api"]


def test_trusted_extra_audience_passes() -> None:
    claims = good(aud=[CLIENT, "api"], azp=CLIENT)
    assert validate(claims, trusted_audiences=("api",))["aud"] == [CLIENT, "api"]


# Steps 4-5
def test_azp_required_with_several_audiences() -> None:
    fails("azp", good(aud=[CLIENT, "api"]), trusted_audiences=("api",))


@pytest.mark.parametrize("aud", [CLIENT, [CLIENT, "api"]])
def test_azp_must_be_the_client_when_present(aud: object) -> None:
    error = fails("azp", good(aud=aud, azp="api"), trusted_audiences=("api",))
    assert (error.expected, error.actual) == (CLIENT, "api")


def test_azp_type() -> None:
    fails("azp", good(azp=5))


# sub (§2)
@pytest.mark.parametrize("sub", [DROP, None, 42, "", "x" * 256])
def test_sub_required_string_up_to_255(sub: object) -> None:
    fails("sub", good(sub=sub))


def test_sub_of_255_passes() -> None:
    assert validate(good(sub="x" * 255))["sub"] == "x" * 255


# Step 9
def test_exp_within_leeway_passes_and_beyond_fails() -> None:
    assert validate(good(exp=NOW - LEEWAY + 1))
    error = fails("exp", good(exp=NOW - LEEWAY))
    assert error.actual == NOW - LEEWAY
    fails("exp", good(exp=NOW - 3600))


@pytest.mark.parametrize("exp", [DROP, None, "1900000000", True, [NOW]])
def test_exp_required_number(exp: object) -> None:
    fails("exp", good(exp=exp))


def test_integer_times_pass() -> None:
    assert validate(good(exp=int(NOW) + 10, iat=int(NOW)))


# Step 10
def test_iat_in_the_future_beyond_leeway_fails() -> None:
    assert validate(good(iat=NOW + LEEWAY))
    fails("iat", good(iat=NOW + LEEWAY + 1))


@pytest.mark.parametrize("iat", [DROP, None, "0", False])
def test_iat_required_number(iat: object) -> None:
    fails("iat", good(iat=iat))


# RFC 7519 §4.1.5
def test_nbf() -> None:
    assert validate(good(nbf=NOW + LEEWAY))
    fails("nbf", good(nbf=NOW + LEEWAY + 1))
    fails("nbf", good(nbf="soon"))


# Step 11
def test_nonce_mismatch_and_missing() -> None:
    error = fails("nonce", good(nonce="other"))
    assert NONCE not in str(error) and "other" not in str(error)
    assert error.expected is None and error.actual is None
    fails("nonce", good(nonce=DROP))
    fails("nonce", good(nonce=5))


def test_nonce_not_expected_is_ignored_but_type_checked() -> None:
    assert validate(good(nonce=DROP), nonce=None)
    assert validate(good(), nonce=None)
    fails("nonce", good(nonce=5), nonce=None)


# Step 13
def test_max_age_requires_auth_time() -> None:
    fails("auth_time", good(auth_time=DROP), max_age=300)
    assert validate(good(auth_time=DROP))


def test_max_age_too_old_fails() -> None:
    assert validate(good(auth_time=NOW - 300 - LEEWAY), max_age=300)
    error = fails("auth_time", good(auth_time=NOW - 300 - LEEWAY - 1), max_age=300)
    assert error.actual == NOW - 300 - LEEWAY - 1


def test_max_age_zero() -> None:
    assert validate(good(auth_time=NOW - 5), max_age=0)
    fails("auth_time", good(auth_time=NOW - LEEWAY - 1), max_age=0)


def test_auth_time_type_checked_when_present() -> None:
    fails("auth_time", good(auth_time="yesterday"))


# Steps 9-10 and 13 after a wall-clock jump the page measured (clock_jump). The
# provider's true time is NOW; the page's clock reads NOW + jump.
HOUR = 3600.0


def test_zero_clock_jump_is_the_plain_check() -> None:
    for claims in (good(), good(exp=NOW - LEEWAY + 1), good(iat=NOW + LEEWAY)):
        assert validate(claims, clock_jump=0.0) == validate(claims)
    fails("exp", good(exp=NOW - LEEWAY), clock_jump=0.0)
    fails("iat", good(iat=NOW + LEEWAY + 1), clock_jump=0.0)
    fails("nbf", good(nbf=NOW + LEEWAY + 1), clock_jump=0.0)
    fails("auth_time", good(auth_time=NOW - 300 - LEEWAY - 1), max_age=300, clock_jump=0.0)


def test_clock_set_forward_accepts_a_fresh_token() -> None:
    fails("exp", good(), now=NOW + HOUR)  # what the page saw before the fix
    assert validate(good(), now=NOW + HOUR, clock_jump=HOUR)


def test_forward_jump_moves_exp_by_exactly_the_jump() -> None:
    assert validate(good(exp=NOW - LEEWAY + 1), now=NOW + HOUR, clock_jump=HOUR)
    error = fails("exp", good(exp=NOW - LEEWAY), now=NOW + HOUR, clock_jump=HOUR)
    assert error.expected == f"> {NOW - LEEWAY}"
    # A smaller measured jump helps less: an hour's exp needs an hour's jump.
    fails("exp", good(), now=NOW + HOUR, clock_jump=HOUR - 400)
    fails("exp", good(exp=NOW - 2 * HOUR), now=NOW + HOUR, clock_jump=HOUR)


def test_forward_jump_does_not_relax_iat_or_nbf() -> None:
    now = NOW + HOUR
    assert validate(good(iat=now + LEEWAY, nbf=now + LEEWAY), now=now, clock_jump=HOUR)
    fails("iat", good(iat=now + LEEWAY + 1), now=now, clock_jump=HOUR)
    fails("nbf", good(nbf=now + LEEWAY + 1), now=now, clock_jump=HOUR)


def test_forward_jump_checks_max_age_against_the_earliest_time() -> None:
    now = NOW + HOUR
    assert validate(good(auth_time=NOW - 300 - LEEWAY), now=now, clock_jump=HOUR, max_age=300)
    error = fails(
        "auth_time", good(auth_time=NOW - 300 - LEEWAY - 1), now=now, clock_jump=HOUR, max_age=300
    )
    assert error.expected == f">= {NOW - LEEWAY - 300}"


def test_clock_set_back_accepts_a_fresh_token() -> None:
    fails("iat", good(), now=NOW - HOUR)  # what the page saw before the fix
    assert validate(good(), now=NOW - HOUR, clock_jump=-HOUR)


def test_backward_jump_moves_iat_and_nbf_by_exactly_the_jump() -> None:
    now = NOW - HOUR
    assert validate(good(iat=NOW + LEEWAY, nbf=NOW + LEEWAY), now=now, clock_jump=-HOUR)
    error = fails("iat", good(iat=NOW + LEEWAY + 1), now=now, clock_jump=-HOUR)
    assert error.expected == f"<= {NOW + LEEWAY}"
    error = fails("nbf", good(nbf=NOW + LEEWAY + 1), now=now, clock_jump=-HOUR)
    assert error.expected == f"<= {NOW + LEEWAY}"
    fails("iat", good(iat=NOW + HOUR), now=now, clock_jump=-HOUR)


def test_backward_jump_does_not_relax_exp_or_max_age() -> None:
    now = NOW - HOUR
    assert validate(good(exp=now - LEEWAY + 1, iat=now - 10), now=now, clock_jump=-HOUR)
    fails("exp", good(exp=now - LEEWAY, iat=now - 10), now=now, clock_jump=-HOUR)
    fails(
        "auth_time", good(auth_time=now - 300 - LEEWAY - 1), now=now, clock_jump=-HOUR, max_age=300
    )


# §3.1.3.8
def test_at_hash() -> None:
    access_token = "jHkWEdUXMU1BwAsC4vtUsZwnHb2WVYOLPCmqMW7RmVMJ"
    expected = at_hash_from_digest(hashlib.sha256(access_token.encode()).digest())
    assert len(expected) == 22
    assert validate(good(at_hash=expected), access_token_hash=expected)
    error = fails("at_hash", good(at_hash="AAAAAAAAAAAAAAAAAAAAAA"), access_token_hash=expected)
    assert expected not in str(error)
    # Optional in the code flow: absent, or not asked for, passes.
    assert validate(good(), access_token_hash=expected)
    assert validate(good(at_hash="anything"))
    fails("at_hash", good(at_hash=7), access_token_hash=expected)


def test_at_hash_from_digest_matches_the_standard_library() -> None:
    digest = hashlib.sha256(b"an access token").digest()
    left = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert at_hash_from_digest(digest) == left


# §12.2 refresh
def previous(**changes: object) -> dict[str, object]:
    return good(iat=NOW - 3600, **changes)


def test_refresh_with_same_identity_passes() -> None:
    assert validate(good(nonce=DROP), nonce=None, previous_claims=previous())
    assert validate(good(), nonce=None, previous_claims=previous())
    assert validate(good(aud=[CLIENT]), nonce=None, previous_claims=previous())
    assert validate(good(auth_time=DROP), nonce=None, previous_claims=previous())


@pytest.mark.parametrize(
    ("check", "changes"),
    [
        ("sub", {"sub": "someone-else"}),
        ("azp", {"azp": CLIENT}),
        ("auth_time", {"auth_time": NOW - 5}),
        ("nonce", {"nonce": "fresh-nonce"}),
        ("iat", {"iat": NOW - 7200}),
    ],
)
def test_refresh_must_not_change_identity(check: str, changes: dict[str, object]) -> None:
    fails(check, good(**changes), nonce=None, previous_claims=previous())


def test_refresh_issuer_and_audience_change() -> None:
    fails("iss", good(), issuer=ISSUER, nonce=None, previous_claims=previous(iss="https://old"))
    fails("aud", good(), nonce=None, previous_claims=previous(aud=[CLIENT, "api"]))


# userinfo (§5.3.4)
def test_userinfo_sub() -> None:
    claims = good()
    info = {"sub": claims["sub"], "name": "Alice"}
    assert validate_userinfo_sub(info, claims) == info
    error = None
    with pytest.raises(ValidationError) as exc:
        validate_userinfo_sub({"sub": "other"}, claims)
    error = exc.value
    assert (error.check, error.expected, error.actual) == ("sub", claims["sub"], "other")
    with pytest.raises(ValidationError) as exc:
        validate_userinfo_sub({"name": "no sub"}, claims)
    assert exc.value.check == "sub"
    with pytest.raises(ValidationError) as exc:
        validate_userinfo_sub("not json object", claims)  # type: ignore[arg-type]
    assert exc.value.check == "userinfo"
