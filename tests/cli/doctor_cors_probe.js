// Run by Selenium's execute_async_script in a page at the app's origin: the requests
// the client makes to each endpoint, as `brython-oidc doctor` imitates them, and
// whether Chromium let the page read the answer ("readable") or not ("blocked").
// arguments[0]: {discovery, jwks, token, userinfo, clientId, redirectUri}; the last
// argument is Selenium's callback.
const [urls, done] = arguments;
const form = new URLSearchParams({
  grant_type: 'authorization_code',
  code: 'doctor-probe',
  redirect_uri: urls.redirectUri,
  client_id: urls.clientId,
  code_verifier: 'doctor-probe-verifier-doctor-probe-verifier-0123',
});
const requests = {
  discovery: [urls.discovery, {}],
  jwks: [urls.jwks, {}],
  token: [urls.token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
  }],
  userinfo: [urls.userinfo, { headers: { Authorization: 'Bearer doctor-probe-not-a-token' } }],
};
const results = {};
Promise.all(Object.entries(requests).map(async ([name, [url, init]]) => {
  try {
    await fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });
    results[name] = 'readable';
  } catch (err) {
    results[name] = 'blocked';
  }
})).then(() => done(results));
