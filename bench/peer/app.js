// The benchmark peer: the same job as bench/ours_app with oidc-client-ts (its defaults,
// except where the benchmark needs the same behaviour as ours; see bench/peer/server.py).
// On load: handle the callback, else getUser() (its store), else signinSilent (prompt=none
// iframe); show the state; a login button (signinRedirect). Marks "peer:ready" when the
// auth state is known and "bench:rendered" once it is on screen.
"use strict";
(async () => {
  const config = JSON.parse(document.getElementById("peer-config").textContent);
  const settings = {
    authority: config.issuer,
    client_id: config.client_id,
    redirect_uri: location.origin + "/",
    scope: config.scope,
    response_type: "code",
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: config.renew_before_expiry,
  };
  if (config.store === "memory") {
    // Tokens in memory, like ours: nothing survives a reload.
    settings.userStore = new oidc.WebStorageStateStore({ store: new oidc.InMemoryWebStorage() });
  }
  const manager = new oidc.UserManager(settings);
  let handOver = null;
  if (config.render_in_python) {
    // The floor page (bench/peer/server.py): Brython renders what this resolves to.
    window.peerSignIn = new Promise((resolve) => { handOver = resolve; });
  }
  const params = new URLSearchParams(location.search);
  if (window.parent !== window) {
    // The silent-renew iframe: hand the response to the parent, never boot the app.
    await manager.signinSilentCallback();
    return;
  }
  const $ = (id) => document.querySelector(`[data-testid=${id}]`);
  let user = null;
  try {
    if (params.has("code") || params.has("error")) {
      user = await manager.signinRedirectCallback();
      history.replaceState(history.state, "", "/");
    } else {
      user = await manager.getUser();
      if (!user && config.restore !== "none") {
        user = await manager.signinSilent();
      }
    }
  } catch (err) {
    user = null; // login_required and friends: logged out
  }
  performance.mark("peer:ready");
  let renewals = 0;
  const render = (u) => {
    $("auth-state").textContent = u && !u.expired ? "logged-in" : "logged-out";
    $("user-name").textContent = u ? String(u.profile.name || "") : "";
  };
  manager.events.addUserLoaded((u) => {
    renewals += 1;
    $("renewals").textContent = String(renewals);
    render(u);
  });
  manager.events.addUserUnloaded(() => render(null));
  manager.events.addSilentRenewError(() => {
    window.peerRenewErrors = (window.peerRenewErrors || 0) + 1;
  });
  $("login-button").addEventListener("click", () => manager.signinRedirect());
  if (handOver) {
    handOver(user);
    return;
  }
  render(user);
  performance.mark("bench:rendered");
})();
