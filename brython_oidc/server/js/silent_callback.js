// brython_oidc: the silent-renew iframe's landing page hands its callback URL to the
// parent page of the same origin (targetOrigin = own origin, never a wildcard).
// MESSAGE is browser/keys.py CALLBACK_MESSAGE, the type browser/silent.py accepts;
// the server wraps this file around it (server/silent_callback.py).
/* global MESSAGE */
(function (type) {
  "use strict";
  if (window.parent !== window) {
    window.parent.postMessage({type: type, url: window.location.href},
                              window.location.origin);
  }
})(MESSAGE);
