// brython_oidc's boot file: runs on every page, first of the three deferred scripts
// (then brython.js and the bundle), as soon as the page is parsed and before any of
// Brython is there. It
//   1. moves an authorization response out of the address bar,
//   2. says on <html data-oidc-status> what the page is doing (the runtime may still
//      be downloading: the page can say "signing you in" at once),
//   3. starts the one provider GET start-up will need (discovery or JWKS),
//   4. once brython.js has run (DOMContentLoaded), loads the engine asset when
//      start-up will run the engine, and
//   5. starts Brython.
// Every name it shares with the Python side comes in BOOT, one JSON value the server
// wraps around this file (server/assets.py boot_data), made from the one definition of
// each: brython_oidc/browser/keys.py (storage keys, JS globals, status values) and core
// (callback parameters, the discovery URL). Its fields:
//   callback_params  core.authorization.CALLBACK_PARAMS
//   globals          {callback_url, early_get, engine, idle, engine_at_start}
//   status           {attribute, loading, signing_in, restoring, signing_out}
//   storage          {hint, after_logout, discovery}: this app's keys, or null (no
//                    issuer/client_id configured, or mock mode)
//   discovery_url    core.discovery.discovery_url(issuer), or null
//   restore_iframe   session_restore = "iframe"
//   mock             mock mode: the engine runs at start-up
//   engine_url       the engine asset, or null (a bundle that holds the engine)
//   brython          the options of brython()
/* global BOOT, brython */
(function (boot) {
  "use strict";
  var globals = boot.globals;

  // 1. Brython's tracebacks name the page URL it captured (__BRYTHON__.script_path,
  // taken when brython.js is evaluated: after this file, or before it in a template
  // that orders the scripts otherwise, then reset here), so a callback's code and
  // state must be out of the address bar before brython.js runs (a code never reaches
  // the console). Only the callback parameters go; any other stays.
  (function captureCallback() {
    var names = boot.callback_params, found = false;
    function strip(part) {
      return part.split("&").filter(function (item) {
        var name = item.split("=")[0].replace(/\+/g, " ");
        try { name = decodeURIComponent(name); } catch (e) { return true; }
        if (names.indexOf(name) < 0) { return true; }
        found = true;
        return false;
      }).join("&");
    }
    var loc = window.location;
    var query = strip(loc.search.slice(1)), hash = strip(loc.hash.slice(1));
    if (!found) { return; }
    window[globals.callback_url] = loc.href;
    history.replaceState(history.state, "", loc.pathname +
      (query ? "?" + query : "") + (hash ? "#" + hash : ""));
    var B = window.__BRYTHON__;
    if (B) {
      B.script_path = loc.href.split("#")[0];
      var elts = B.script_path.split("/");
      elts.pop();
      B.curdir = elts.join("/");
    }
  })();

  var storage = boot.storage;
  function stored(store, key) {
    if (!storage) { return null; }
    try { return window[store].getItem(storage[key]); } catch (e) { return null; }  // disabled
  }
  var callback = typeof window[globals.callback_url] === "string";
  var hint = stored("localStorage", "hint") !== null;
  var afterLogout = stored("sessionStorage", "after_logout") !== null;

  // 2. What browser/boot.py will decide from the same facts, said before Brython's
  // cold start (about 250 ms); handle.Status keeps it current afterwards.
  var status = boot.status;
  document.documentElement.setAttribute(status.attribute,
    callback ? status.signing_in :
    afterLogout ? status.signing_out :
    hint || boot.restore_iframe ? status.restoring : status.loading);

  // 3. One GET of a public provider document, sent while Brython starts, with
  // browser/http.py's fetch options. The Python side takes the response only if its
  // checked metadata names the same URL (http.take_started), and core checks it as
  // any other.
  // - Not a callback, nothing stored: the discovery document (OIDC Discovery §4), so
  //   a login click soon after the page rendered does not wait for that round trip.
  // - The hint set (a restore): the discovery document even when stored, because the
  //   top level may go to the provider only once it answered this page
  //   (core.startup_plan.PROVIDER_ANSWERS, Provider.confirm_answers takes this GET).
  // - A callback: the login stored the discovery document, so the JWKS (jwks_uri,
  //   which the ID token is verified against, OIDC Core §3.1.3.7) leaves now, not
  //   beside the token request, where a provider that answers one request at a time
  //   served it after the token response.
  (function earlyGet() {
    if (!window.AbortController || !storage || !boot.discovery_url) { return; }
    var saved, url;
    try {
      saved = window.sessionStorage.getItem(storage.discovery);
    } catch (e) { return; }  // storage disabled: start-up decides
    if (callback) {
      try { url = JSON.parse(saved).document.jwks_uri; } catch (e) { return; }
      if (typeof url !== "string" || !/^https?:\/\//i.test(url)) { return; }
    } else {
      if (saved !== null && !hint) { return; }
      url = boot.discovery_url;
    }
    var controller = new AbortController();
    var response = fetch(url, {method: "GET", cache: "no-store", credentials: "omit",
                               signal: controller.signal});
    response.catch(function () {});  // reported by the Python side that awaits it
    window[globals.early_get] = {url: url, response: response, controller: controller};
  })();

  // 4. The engine asset (the protocol modules, precompiled for brython.js, so never
  // run before it): loaded at DOMContentLoaded when start-up runs the engine
  // (browser/boot.py _start: a callback, the hint, a return from the provider's
  // logout, session_restore = "iframe", mock mode), brython() then waiting for it;
  // else after the ready mark (handle.Oidc.warm_up), or when a login click needs it
  // (handle.load_engine).
  if (boot.engine_url) {
    var loading = null;
    var load = window[globals.engine] = function () {
      if (!loading) {
        loading = new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = boot.engine_url;
          script.onload = function () { resolve(true); };
          script.onerror = function () {
            loading = null;  // a later call tries again
            script.remove();
            resolve(false);
          };
          document.head.appendChild(script);
        });
      }
      return loading;
    };
    // The callback runs only once the engine is there; a failed load is reported by
    // the next call that needs it (handle.load_engine), which fetches it again.
    window[globals.idle] = function (run, options) {
      load().then(function (ok) {
        if (!ok || !run) { return; }
        if (window.requestIdleCallback) { window.requestIdleCallback(run, options); }
        else { setTimeout(run, 50); }
      });
    };
  }
  var engineAtStart = Boolean(boot.engine_url) &&
    (callback || hint || afterLogout || boot.restore_iframe || boot.mock);

  // 5. DOMContentLoaded comes once every deferred script has run: brython.js and the
  // bundle are there, and the page's Python. Starting then, not from body.onload as
  // brython.js does by default, saves the wait for the window load event (every image,
  // web font and iframe of the page). When start-up runs the engine, the start waits
  // for it: it comes from the cache and runs in a few ms while the main thread is free
  // (Brython started first delays it by its own start, bench/ab.py). brython.js wraps
  // a body.onload it finds at DOMContentLoaded (this listener runs first) in one that
  // calls brython() only if nothing did; without one it would call it again at load,
  // running the page twice.
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.body.onload) { document.body.onload = function () {}; }
    function start() { brython(boot.brython); }
    if (engineAtStart) {
      var engine = window[globals.engine_at_start] = window[globals.engine]();
      engine.then(start);  // resolves, loaded or not: Python reports a failure
    } else {
      start();
    }
  });
})(BOOT);
