"""The comparison's outputs: the printed table, results.json, the chart and performance.md."""

from __future__ import annotations

import json
import shlex
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OUT = DOCS / "performance"
CHART = "page-load.png"


def command(argv: list[str]) -> str:
    return "python bench/compare.py" + "".join(" " + shlex.quote(a) for a in argv)


def _ratio(ours: float | None, peer: float | None) -> str:
    if not ours or not peer:
        return "—"
    return f"{ours / peer:.2f}×"


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "not restored"
    return f"{value:,.0f}{unit}"


def framework_cost(provider: dict[str, Any], base_key: str, temp: str) -> float:
    """ours-no-restore minus the ``base_key`` page: paired run by run when measured so
    (interleaved pages, compare.py), else the difference of the medians."""
    paired = provider.get("framework_cost", {}).get(base_key)
    if paired:
        return float(paired[temp])
    load = provider["load"]
    return float(load["ours-no-restore"][f"ready_{temp}_ms"] - load[base_key][f"ready_{temp}_ms"])


def cost_spread(provider: dict[str, Any], base_key: str, temp: str) -> str:
    """The interquartile range of the run-by-run differences behind ``framework_cost``,
    as text (empty when the samples are not in the results): how much to trust it."""
    load = provider["load"]
    try:
        ours = load["ours-no-restore"]["samples"][temp]
        base = load[base_key]["samples"][temp]
    except KeyError:
        return ""
    diffs = sorted(x - y for x, y in zip(ours, base, strict=True))
    if len(diffs) < 4:
        return ""
    q1, _, q3 = statistics.quantiles(diffs, n=4)
    return f" (run-by-run differences, middle half: {q1:,.0f} to {q3:,.0f} ms)"


def sign_in_sets(provider: dict[str, Any]) -> list[tuple[int | None, dict[str, Any]]]:
    """``(latency ms or None for loopback, {page: median ms})`` for each sign-in run."""
    latencies = provider.get("sign_in_latency", {}).items()
    return [(None, provider["sign_in"]), *((int(ms), si) for ms, si in latencies)]


def _sign_in_rows(
    si: dict[str, Any], key: str, latency: int | None
) -> list[tuple[str, str, str, str, str]]:
    """One sign-in run: ours against the peer, then the floor page if it was run."""
    if latency is None:
        label, suffix = 'click "log in" → signed-in page, auto sign-in', ""
    else:
        label = f"  … with {latency} ms emulated latency per request"
        suffix = f", {latency} ms latency"
    out = [
        (
            label,
            key,
            _num(si["ours"], " ms"),
            _num(si["peer"], " ms"),
            _ratio(si["ours"], si["peer"]),
        )
    ]
    floor = si.get("floor")
    if floor is not None:
        out.append(
            (
                f"  … floor: the peer's page rendered by Brython{suffix}",
                key,
                _num(floor, " ms"),
                _num(si["peer"], " ms"),
                _ratio(floor, si["peer"]),
            )
        )
    return out


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, provider, ours, peer, ours/peer) for every measured figure."""
    out: list[tuple[str, str, str, str, str]] = []
    s = results["sizes"]
    out.append(
        (
            "bundle, framework only, gzip -9",
            "—",
            _num(s["framework_bundle_gzip"], " B"),
            _num(s["peer_library_gzip"], " B"),
            _ratio(s["framework_bundle_gzip"], s["peer_library_gzip"]),
        )
    )
    if "engine_gzip" in s:
        # Not in the bundle: fetched after the ready mark, or before start-up when the
        # engine runs at once (callback, restore); the peer has no such second file.
        out.append(("engine asset, gzip -9", "—", _num(s["engine_gzip"], " B"), "—", "—"))
    out.append(("brython.js, gzip -9", "—", _num(s["brython_js_gzip"], " B"), "—", "—"))
    for key, p in results["providers"].items():
        load = p["load"]
        o, q = load["ours"], load["peer"]
        for visit, label in (
            ("cold", "cold load"),
            ("repeat", "repeat visit"),
            ("repeat_no_cache", "repeat, cache disabled"),
        ):
            for field, what in (("transfer", "on the wire"), ("decoded", "raw")):
                a, b = o["bytes"][visit][field], q["bytes"][visit][field]
                out.append(
                    (f"bytes {what}, {label}", key, _num(a, " B"), _num(b, " B"), _ratio(a, b))
                )
        for temp in ("cold", "warm"):
            a, b = o[f"ready_{temp}_ms"], q[f"ready_{temp}_ms"]
            out.append(
                (
                    f"nav start → auth state known, logged out, {temp}",
                    key,
                    _num(a, " ms"),
                    _num(b, " ms"),
                    _ratio(a, b),
                )
            )
        baselines = (
            ("bare-brython", "bare Brython page (3-line inline script)"),
            ("bare-app", "the same page without the framework"),
        )
        for base_key, label in baselines:
            if base_key not in load:
                continue
            base = load[base_key]
            for temp in ("cold", "warm"):
                out.append(
                    (f"{label}, {temp}", key, _num(base[f"ready_{temp}_ms"], " ms"), "—", "—")
                )
                cost = framework_cost(p, base_key, temp)
                out.append(
                    (
                        f"framework cost over {label}, {temp}",
                        key,
                        _num(cost, " ms"),
                        "—",
                        "—",
                    )
                )
        r = p["restore"]
        out.append(
            (
                "nav start → signed in, restore on reload",
                key,
                _num(r["ours"], " ms"),
                _num(r["peer"], " ms"),
                _ratio(r["ours"], r["peer"]),
            )
        )
        out.append(
            (
                "  … peer with tokens in memory (like ours)",
                key,
                _num(r["ours"], " ms"),
                _num(r["peer-memory"], " ms"),
                _ratio(r["ours"], r["peer-memory"]),
            )
        )
        for latency, si in sign_in_sets(p):
            out += _sign_in_rows(si, key, latency)
        for a, b in zip(p["renewal"]["ours"], p["renewal"]["peer"], strict=True):

            def cell(x: dict[str, Any]) -> str:
                per = x["per_cycle"]
                if per is None:
                    text = f"no renewal seen, {x['token_requests']} requests"
                else:
                    text = f"{per:.1f}"
                if x.get("failed"):
                    text += f" ({x['failed']} failed)"
                if x["tabs_signed_in_after"] < x["tabs"]:
                    text += f", {x['tabs_signed_in_after']}/{x['tabs']} tabs still in"
                return text

            out.append(
                (
                    f"token requests per renewal, {a['tabs']} tab(s)",
                    key,
                    cell(a),
                    cell(b),
                    _ratio(a["per_cycle"], b["per_cycle"]),
                )
            )
    srv = results["server"]
    for name in ("index.html", "bundle"):
        a, b = srv[f"ours:{name}"], srv[f"static:{name}"]
        out.append(
            (
                f"app server {name}, requests/s (vs StaticFiles)",
                "—",
                _num(a["requests_per_s"], "/s"),
                _num(b["requests_per_s"], "/s"),
                _ratio(a["requests_per_s"], b["requests_per_s"]),
            )
        )
        out.append(
            (
                f"app server {name}, p99 latency (vs StaticFiles)",
                "—",
                f"{a['p99_ms']:.1f} ms",
                f"{b['p99_ms']:.1f} ms",
                _ratio(a["p99_ms"], b["p99_ms"]),
            )
        )
    for alg, v in results["validator"].items():
        out.append(
            (
                f"TokenValidator {alg}, validations/s (vs bare joserfc)",
                "—",
                _num(v["ours"], "/s"),
                _num(v["bare"], "/s"),
                _ratio(v["ours"], v["bare"]),
            )
        )
        if "dpop" in v:
            # RFC 9449 §7.1: a bound token and its ES256 proof, vs a bearer token, one run.
            out.append(
                (
                    f"TokenValidator {alg} DPoP (token + ES256 proof), validations/s (vs bearer)",
                    "—",
                    _num(v["dpop"], "/s"),
                    _num(v["bearer"], "/s"),
                    _ratio(v["dpop"], v["bearer"]),
                )
            )
    return out


HEAD = ("figure", "provider", "brython_oidc", "peer", "ours/peer")


def table(results: dict[str, Any]) -> str:
    body = rows(results)
    widths = [max(len(r[i]) for r in [HEAD, *body]) for i in range(5)]

    def line(r: tuple[str, ...]) -> str:
        cells = zip(r, widths, strict=True)
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(cells))

    return "\n".join([line(HEAD), "  ".join("-" * w for w in widths), *map(line, body)])


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    providers = results["providers"]
    fig, axes = plt.subplots(1, len(providers), figsize=(7.5 * len(providers), 4.2), squeeze=False)
    for ax, p in zip(axes[0], providers.values(), strict=True):
        sets = sign_in_sets(p)
        labels = ["cold load", "warm load", "restore\non reload"]
        labels += [
            "sign-in\nround trip" if ms is None else f"sign-in\n+{ms} ms/req" for ms, _ in sets
        ]
        for offset, (who, color) in enumerate((("ours", "#3572A5"), ("peer", "#f1b300"))):
            values = [
                p["load"][who]["ready_cold_ms"],
                p["load"][who]["ready_warm_ms"],
                p["restore"][who] or 0,
                *(si[who] for _, si in sets),
            ]
            xs = [i + (offset - 0.5) * 0.38 for i in range(len(labels))]
            name = "brython_oidc" if who == "ours" else "oidc-client-ts"
            bars = ax.bar(xs, values, 0.38, label=name, color=color)
            ax.bar_label(bars, fmt="%.0f", fontsize=8)
        for i, floor in enumerate((si.get("floor") for _, si in sets), start=3):
            if floor is not None:
                ax.hlines(floor, i - 0.45, i + 0.45, colors="black", linestyles="dashed")
                ax.annotate(f"floor {floor:.0f}", (i - 0.45, floor), fontsize=7, va="bottom")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_ylabel("ms (median)")
        ax.set_title(p["name"])
        ax.set_ylim(top=ax.get_ylim()[1] * 1.2)  # room for the legend above the bars
        ax.legend(loc="upper left", fontsize=8, ncols=2)
    fig.suptitle(
        "Headless Chromium, loopback (+N ms/req: emulated latency): "
        "time to auth state / signed in (lower is better);\n"
        "dashed: the sign-in floor, the peer's page rendered by Brython"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Performance",
        "",
        "brython_oidc next to a minimal page doing the same job with",
        f"[oidc-client-ts](https://github.com/authts/oidc-client-ts) {m['oidc_client_ts']}",
        "(served from npm's own browser build, no bundler): same machine, same headless",
        "Chromium, same providers (the development provider and node oidc-provider),",
        "one run. The figures are printed by a script; nothing here is a pass/fail test.",
        "",
        "```sh",
        "npm ci --prefix bench/peer && npm ci --prefix tests/interop",
        results["command"],
        "```",
        "",
        f"Machine: {m['nproc']} CPUs, {m['cpu']}; {m['chromium']}; Python {m['python']}.",
        f"The run took {results['elapsed_s']} s. "
        "Raw figures: [results.json](performance/results.json).",
        "",
        f"![page-load and sign-in times](performance/{CHART})",
        "",
        "## What is measured",
        "",
        "- **Pages.** `bench/ours_app/` (create_oidc, a state line, a login button) served by",
        "  `brython_oidc.server.create_app`; `bench/peer/` (oidc-client-ts `UserManager`:",
        "  callback, else `getUser()`, else `signinSilent()`; a login button calling",
        "  `signinRedirect()`) served by a small Starlette app with gzip. The app is on",
        "  `localhost`, the provider on `127.0.0.1`: different sites, as in DESIGN.md.",
        "  As for any app `create_app` serves, our page module ships compiled to",
        "  JavaScript by Brython's compiler on the server (`server/compiler.py`), so the",
        "  page compiles nothing and Brython's IndexedDB module cache stays off.",
        "- **Bytes**: Resource Timing `transferSize` (wire, with headers) and `decodedBodySize`",
        "  (raw) of the app's own origin, cold (fresh profile), repeat visit (cache on), and",
        "  repeat with `Network.setCacheDisabled`. Ours includes the engine asset (the",
        "  protocol modules precompiled, about 135 KB gzip, not in the bundle) that a",
        "  logged-out page fetches in idle time after the ready mark.",
        "- **Auth state known**: navigation start → the ready mark (`brython-oidc:ready` /",
        "  the peer's `peer:ready`), logged out; each page asks the provider (silent",
        "  `prompt=none`), so a provider round trip is included. Cold = fresh profile.",
        "- **Restore on reload**: reload start → signed-in page rendered. The peer keeps",
        '  tokens in sessionStorage by default (no provider call); the "tokens in memory"',
        "  row is the peer configured like us (`InMemoryWebStorage`). Ours keeps tokens in",
        "  memory only, so a reload with no other tab open is restored at the provider:",
        "  this Chromium withholds the provider's cross-site cookies from a `prompt=none`",
        "  iframe, so it is a top-level `prompt=none` redirect and a second page load (the",
        "  first reload also tries the iframe; later ones skip it, see",
        "  [session restore](concepts/session-restore.md)). Median over `--runs` reloads.",
        "- **Sign-in round trip**: click → signed-in page rendered, the provider session",
        "  already there (no form); one browser per page, the pages taking turns",
        "  run by run, `--sign-in-runs` runs (20 by default). Medians in the table; the",
        "  targets also give the run-by-run ratio (each run of ours over the peer's run",
        "  beside it) with its middle half, which a machine drifting mid-run moves less.",
        "  Neither page asks the UserInfo endpoint: it is",
        "  oidc-client-ts's default (`loadUserInfo: false`), and ours is configured the",
        "  same (`load_userinfo = false`; our default asks it, one more round trip).",
        "- **… with emulated latency**: the same, with Chromium's network emulation",
        "  (`Network.emulateNetworkConditions`) adding N ms to every request of the tab,",
        "  navigations and fetches alike (what the HTTP cache serves takes none), as when",
        "  the app and the provider are N ms away. After the click the pages make",
        "  different numbers of round trips one after another: ours three (the",
        "  authorization request, the callback page, the token request; the JWKS leaves",
        "  from the boot file as the callback page starts, and the discovery document",
        "  came along in sessionStorage), the",
        "  peer four (its callback page fetches the discovery document before the token",
        "  request). Ours sends the token request before it imports the rest of its",
        "  engine (client, renewal, tabs, ID token verification), which import while the",
        "  request travels. Loopback shows Brython's CPU cost; latency shows what that",
        "  saves.",
        "- **… floor**: the peer's page again, with the same brython.js (served",
        "  immutable, like ours) loaded right after oidc-client-ts, and a few lines of",
        "  inline Python that render what `signinRedirectCallback()` resolved.",
        "  oidc-client-ts does the protocol in JavaScript while Brython starts: its",
        "  discovery request travels during Brython's evaluation, its token request",
        "  waits for the main thread (`bench/signin_profile.py --page floor-login`).",
        "  It is a page that loads Brython with the protocol at JavaScript's cost, so",
        "  the floor's ratio is roughly what Brython costs, and the gap between ours",
        "  and the floor what brython_oidc costs on top (its protocol steps in Python).",
        "- **Token requests per renewal cycle**: token requests counted at the provider",
        "  over 18 s, divided by the renewals the first tab saw (new tokens), access tokens",
        "  living 12 s and renewed 6 s before expiry (1 s jitter), N tabs open",
        "  (`window.open`, so the peer's tabs share its sessionStorage copy).",
        "- **Framework cost**: the page without provider round trip (`session_restore",
        '  = "none"`) against two bare-Brython pages served with the same runtime: a',
        "  3-line inline script, and the same page (`bench/bare_app/`: the same DOM and",
        "  marks in a bundle with the same boot file) without the framework. The three",
        "  pages are loaded in turn in fresh browsers, run by run (`--cost-runs`, 30",
        "  by default: one cold load spreads over 100 ms and more), and the cost is the",
        "  median of the run-by-run differences: cold loads on this shared machine drift",
        "  by tens of ms over a run.",
        "- **App server**: asyncio + httpx, 32 connections, against `create_app` and a plain",
        "  Starlette `StaticFiles` app serving the same index.html and bundle (no gzip),",
        "  each server a separate one-worker uvicorn process. The generator shares the",
        "  machine's CPUs, so absolute figures are a floor.",
        "- **Token validator**: `bench/validator.py`, warm JWKS, vs bare joserfc.",
        "",
        "## Figures",
        "",
        "| " + " | ".join(HEAD) + " |",
        "|" + "---|" * len(HEAD),
    ]
    for r in rows(results):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    lines += [
        "",
        "## Targets",
        "",
        "| target | figure |",
        "|---|---|",
    ]
    lines += [f"| {t} | {v} |" for t, v in targets(results)]
    lines += floor_note(results)
    lines += [
        "",
        "Other scripts: `python bench/sizes.py` (bytes of each served file),",
        "`python bench/browser_ready.py` (ready mark vs bare Brython, no provider),",
        "`PYTHONPATH=. python bench/validator.py`, `python bench/ab.py REV_A REV_B`",
        "(two checkouts side by side, runs interleaved: the sign-in round trip and",
        "its callback page (`--latency MS`, `--click-at-once` to click as this script",
        "does), cold start, and with `--restore-runs N` the restore on reload;",
        "steadier than comparing two runs of this script),",
        "`python bench/sign_in.py --runs 50 [--latency MS] [--provider node]` (the",
        "sign-in rows alone, ours, the peer and the floor, with more runs than here),",
        "`python bench/brython_ops.py` (what Python steps and the core functions on",
        "the sign-in path cost in Brython, warm: why `core/` splits strings with",
        "`str.split` and loops instead of `partition`, slices and generators).",
        "",
    ]
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    s = results["sizes"]
    out.append(
        (
            "bundle ≤ 40 KB gzip",
            f"framework {s['framework_bundle_gzip']:,} B; with the page {s['app_bundle_gzip']:,} B"
            + (
                f" (the engine asset, loaded after the ready mark or for a callback or "
                f"restore: {s['engine_gzip']:,} B)"
                if "engine_gzip" in s
                else ""
            ),
        )
    )
    dev = results["providers"].get("dev")
    for base_key, label in (("bare-app", "the same page"), ("bare-brython", "a 3-line page")):
        if dev and base_key in dev["load"]:
            cost = framework_cost(dev, base_key, "cold")
            spread = cost_spread(dev, base_key, "cold")
            out.append(
                (
                    f"framework cost ≤ 60 ms cold, over {label} in bare Brython",
                    f"{cost:,.0f} ms{spread}",
                )
            )
    for key, p in results["providers"].items():
        per = ", ".join(
            f"{x['tabs']} tabs: "
            + ("none seen" if x["per_cycle"] is None else f"{x['per_cycle']:.1f}")
            for x in p["renewal"]["ours"]
        )
        out.append((f"one token request per renewal ({key})", per))
        for latency, si in sign_in_sets(p):
            label = (
                f"sign-in within {SIGN_IN_TARGET}× of oidc-client-ts ({key})"
                if latency is None
                else f"  … with {latency} ms emulated latency per request ({key})"
            )
            out.append((label, _ratio(si["ours"], si["peer"]) + _paired(si) + _over_floor(si)))
    return out


#: The sign-in target: ours within this ratio of the oidc-client-ts page.
SIGN_IN_TARGET = 1.25


def floor_note(results: dict[str, Any]) -> list[str]:
    """A paragraph naming the sign-in runs whose floor alone misses the target."""
    over = []
    for key, p in results["providers"].items():
        for latency, si in sign_in_sets(p):
            floor = si.get("floor")
            if floor is not None and floor > SIGN_IN_TARGET * si["peer"]:
                where = "loopback" if latency is None else f"{latency} ms latency"
                over.append(f"{where} ({key}): {_ratio(floor, si['peer'])}")
    if not over:
        return []
    return [
        "",
        f"The floor alone is past {SIGN_IN_TARGET}× in these sign-in runs: "
        + "; ".join(over)
        + ". There, the peer's page that only loads Brython beside oidc-client-ts,"
        " the protocol still done in JavaScript, misses the target already: no page"
        " rendered by Brython meets it. What brython_oidc can win back is its gap"
        " over the floor, the ms in the rows above.",
    ]


def _paired(si: dict[str, Any]) -> str:
    # Run by run (the pages take turns), robust to a machine that drifts mid-run.
    paired = si.get("paired", {}).get("ours")
    if not paired:
        return ""
    q1, median, q3 = paired
    return f" (run by run {median:.2f}×, middle half {q1:.2f}–{q3:.2f}×)"


def _over_floor(si: dict[str, Any]) -> str:
    # The floor is what any page rendered by Brython takes: what brython_oidc can
    # still win back is the gap between it and ours.
    floor = si.get("floor")
    if floor is None:
        return ""
    paired = si.get("paired", {}).get("floor")
    by_run = f" (run by run {paired[1]:.2f}×)" if paired else ""
    return (
        f"; floor for a Brython page {_ratio(floor, si['peer'])}{by_run}, "
        f"brython_oidc {si['ours'] - floor:+,.0f} ms over it"
    )


def write_all(results: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    chart(results, OUT / CHART)
    (DOCS / "performance.md").write_text(markdown(results), encoding="utf-8")
