// A certified third-party OpenID Provider (panva's node `oidc-provider`) for interop tests.
//
// Nobody here wrote the protocol side: only its configuration and a tiny login page that
// follows the project's DOM contract (inputs name="username" / name="password", one
// type="submit" button; users alice/alice and bob/bob). Development and tests only:
// plain http on loopback, auto-granted consent, in-memory storage, a key made at start.
//
// Usage: node provider.mjs [--port N]     (or OIDC_PORT; 0 or unset = a free port)
// Prints exactly one line on stdout, "READY <issuer>", once it accepts connections.
// Everything else (warnings, OIDC_DEBUG request logs) goes to stderr.
//
// Environment (all optional):
//   OIDC_PORT                      loopback port (argv --port wins)
//   OIDC_CLIENT_ID                 default "demo-spa"
//   OIDC_REDIRECT_URIS             space- or comma-separated; default "http://localhost:8000/";
//                                  also the post_logout_redirect_uris
//   OIDC_TTL_ACCESS_TOKEN          seconds, default 300
//   OIDC_TTL_ID_TOKEN              seconds, default 300
//   OIDC_TTL_REFRESH_TOKEN         seconds, default 3600 (absolute: rotation keeps the end)
//   OIDC_TTL_SESSION               seconds, default 3600
//   OIDC_REFRESH_TOKENS            "always" (default): refresh tokens for any grant of a
//                                  client allowed the refresh_token grant, bound to the
//                                  session; "offline_access": stock oidc-provider rule, only
//                                  when scope has offline_access AND prompt has consent
//   OIDC_COOKIE_SAMESITE           "lax" (default, stock) or "none": SameSite=None; Secure
//                                  cookies, so a cross-site hidden iframe (prompt=none) can
//                                  see the session. WEAKER: dev/test only (see docs)
//   OIDC_DPOP                      "off" (default) or "on": features.dPoP (RFC 9449), which
//                                  also advertises dpop_signing_alg_values_supported
//   OIDC_DEBUG                     "1" logs each request line to stderr
//   Defects, for `brython-oidc doctor` tests (a misconfigured provider on purpose):
//   OIDC_CORS                      "on" (default): CORS for the registered origins;
//                                  "off": no origin may call the token/userinfo/revocation
//                                  endpoints (discovery and JWKS stay public, as stock)
//   OIDC_ISSUER_HOST               the host in the issuer (default 127.0.0.1; it still
//                                  listens on 127.0.0.1): "localhost" makes an issuer that
//                                  differs from the URL the provider is reached at
//   OIDC_DISCOVERY_OVERRIDES       a JSON object laid over the discovery document (null
//                                  removes a member): advertise what the provider cannot be
//                                  configured into, e.g. {"code_challenge_methods_supported":["plain"]}
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const USERS = {
  alice: { password: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
  bob: { password: 'bob', name: 'Bob Builder', email: 'bob@example.test' },
};

function seconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function listEnv(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(/[\s,]+/).filter(Boolean);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  // No external fonts or scripts: the test machine has no internet, and a hanging
  // @import would delay the load event the browser tests wait on.
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(title)}</title></head><body><main>
<h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// --- configuration -------------------------------------------------------------------

const { values: args } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(args.port ?? process.env.OIDC_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`port must be 0..65535, got ${JSON.stringify(args.port ?? process.env.OIDC_PORT)}`);
}
const clientId = process.env.OIDC_CLIENT_ID || 'demo-spa';
const redirectUris = listEnv('OIDC_REDIRECT_URIS', ['http://localhost:8000/']);
const clientOrigins = new Set(redirectUris.map((uri) => new URL(uri).origin));
const ttl = {
  AccessToken: seconds('OIDC_TTL_ACCESS_TOKEN', 300),
  IdToken: seconds('OIDC_TTL_ID_TOKEN', 300),
  RefreshToken: seconds('OIDC_TTL_REFRESH_TOKEN', 3600),
  Session: seconds('OIDC_TTL_SESSION', 3600),
};
const refreshMode = process.env.OIDC_REFRESH_TOKENS || 'always';
if (!['always', 'offline_access'].includes(refreshMode)) {
  throw new Error(`OIDC_REFRESH_TOKENS must be "always" or "offline_access", got ${JSON.stringify(refreshMode)}`);
}

const corsMode = process.env.OIDC_CORS || 'on';
if (!['on', 'off'].includes(corsMode)) {
  throw new Error(`OIDC_CORS must be "on" or "off", got ${JSON.stringify(corsMode)}`);
}
const dpopMode = process.env.OIDC_DPOP || 'off';
if (!['on', 'off'].includes(dpopMode)) {
  throw new Error(`OIDC_DPOP must be "on" or "off", got ${JSON.stringify(dpopMode)}`);
}
const issuerHost = process.env.OIDC_ISSUER_HOST || '127.0.0.1';
if (!/^[A-Za-z0-9.-]+$/.test(issuerHost)) {
  throw new Error(`OIDC_ISSUER_HOST must be a host name, got ${JSON.stringify(issuerHost)}`);
}
const discoveryOverrides = JSON.parse(process.env.OIDC_DISCOVERY_OVERRIDES || '{}');
if (typeof discoveryOverrides !== 'object' || discoveryOverrides === null || Array.isArray(discoveryOverrides)) {
  throw new Error('OIDC_DISCOVERY_OVERRIDES must be a JSON object');
}

const sameSite = (process.env.OIDC_COOKIE_SAMESITE || 'lax').toLowerCase();
if (!['lax', 'none'].includes(sameSite)) {
  throw new Error(`OIDC_COOKIE_SAMESITE must be "lax" or "none", got ${JSON.stringify(sameSite)}`);
}
if (sameSite === 'none') {
  console.error('WARNING: OIDC_COOKIE_SAMESITE=none: session cookies are sent in cross-site frames (test setting)');
}
// In "none" mode the Secure attribute is added by addSecureAttribute below, not here.
const cookieOptions = { httpOnly: true, sameSite };

// RS256 signing key made at start: nothing secret is committed, and a restart rotates it.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `rs256-${randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

function configuration() {
  return {
    clients: [
      {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none', // public client: no secret (RFC 6749 §2.1)
        redirect_uris: redirectUris,
        post_logout_redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline_access profile email',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: cookieOptions,
      short: cookieOptions,
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    responseTypes: ['code'],
    // RFC 7636: every public client must send an S256 code_challenge (S256 is the only
    // method oidc-provider 9 supports at all).
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false }, // replaced by the DOM-contract page below
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      // RFC 9449: proofs at the token and userinfo endpoints, DPoP-bound tokens.
      dPoP: { enabled: dpopMode === 'on' },
      // RFC 9207 `iss` in authorization responses is always on in oidc-provider 9
      // (no feature flag; discovery advertises authorization_response_iss_parameter_supported).
    },
    // Browsers call the token, userinfo and revocation endpoints cross-origin (fetch).
    clientBasedCORS: (ctx, origin) => corsMode === 'on' && clientOrigins.has(origin),
    issueRefreshToken: async (ctx, client, code) => {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      if (refreshMode === 'offline_access') return code.scopes.has('offline_access');
      return true;
    },
    // Every refresh rotates: the old refresh token is consumed (OAuth 2.0 Security BCP §4.14.2).
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: ttl.AccessToken,
      IdToken: ttl.IdToken,
      Session: ttl.Session,
      Interaction: 600,
      Grant: ttl.RefreshToken + ttl.Session,
      RefreshToken(ctx, token, client) {
        // A rotated public-client refresh token keeps its predecessor's end (stock rule).
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
        if (rotated && client.clientAuthMethod === 'none') return rotated.remainingTTL;
        return ttl.RefreshToken;
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const user = USERS[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: user.name,
            preferred_username: sub,
            email: user.email,
            email_verified: true,
          };
        },
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      const rows = Object.entries(out)
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd data-testid="op-${escapeHtml(k)}">${escapeHtml(v)}</dd>`)
        .join('');
      ctx.body = page('Provider error', `<dl>${rows}</dl>`);
    },
  };
}

async function logoutSource(ctx, form) {
  // RP-initiated logout asks the user to confirm (OpenID RP-Initiated Logout 1.0 §2);
  // the form carries an xsrf token, so tests must submit it, not skip it.
  ctx.body = page(
    'Sign out',
    `${form}<p>Sign out of ${escapeHtml(ctx.host)}?</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" data-testid="op-logout-confirm">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" data-testid="op-logout-cancel">No, stay signed in</button>`,
  );
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = page('Signed out', '<p data-testid="op-logged-out">You are signed out.</p>');
}

// --- interactions: login (DOM contract) and auto-consent -------------------------------

function loginPage(uid, error) {
  const message = error ? `<p role="alert" data-testid="login-error">${escapeHtml(error)}</p>` : '';
  return page(
    'Sign in',
    `${message}<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
<label>Username <input required type="text" name="username" autofocus></label>
<label>Password <input required type="password" name="password"></label>
<button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${escapeHtml(uid)}/abort">Cancel</a></p>`,
  );
}

async function grantConsent(provider, details) {
  // Development convenience, loud on purpose: the client is treated as first-party and
  // everything it asks for is granted without a consent screen.
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scope] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
  }
  return { consent: { grantId: await grant.save() } };
}

async function handleInteraction(provider, req, res, url) {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(url.pathname);
  if (!match) return send(res, 404, page('Not found', ''));
  const [, uid, action] = match;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Interaction mismatch', ''));

  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'login') {
    if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const user = Object.hasOwn(USERS, username) ? USERS[username] : undefined;
    if (!user || form.get('password') !== user.password) {
      return send(res, 200, loginPage(uid, 'Invalid username or password.'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: username } }, {
      mergeWithLastSubmission: false,
    });
  }
  if (details.prompt.name === 'login') return send(res, 200, loginPage(uid));
  if (details.prompt.name === 'consent') {
    const result = await grantConsent(provider, details);
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }
  return send(res, 501, page('Unsupported prompt', escapeHtml(details.prompt.name)));
}

// --- start -----------------------------------------------------------------------------

// Listen first, so port 0 can pick a free port with no race; the issuer needs the real one.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://${issuerHost}:${server.address().port}`;
const provider = new Provider(issuer, configuration());
if (Object.keys(discoveryOverrides).length) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/.well-known/openid-configuration' || !ctx.body) return;
    for (const [key, value] of Object.entries(discoveryOverrides)) {
      if (value === null) delete ctx.body[key];
      else ctx.body[key] = value;
    }
  });
}

// SameSite=None needs the Secure attribute (RFC 6265bis §5.4.7), and koa refuses to set a
// Secure cookie on a plain connection (faking https via a proxy header would turn every
// endpoint URL into https://). So the attribute is appended on the way out instead.
function addSecureAttribute(res) {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => {
    if (String(name).toLowerCase() !== 'set-cookie') return setHeader(name, value);
    const values = (Array.isArray(value) ? value : [value]).map((c) => (/;\s*secure/i.test(c) ? c : `${c}; secure`));
    return setHeader(name, values);
  };
}
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const callback = provider.callback();
const debug = process.env.OIDC_DEBUG === '1';

server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  if (debug) console.error(req.method, url.pathname);
  if (sameSite === 'none') addSecureAttribute(res);
  if (url.pathname.startsWith('/interaction/')) {
    handleInteraction(provider, req, res, url).catch((err) => {
      // An expired or unknown interaction (e.g. the cookie is gone) is the user's problem,
      // not a crash: show it, keep serving.
      console.error('interaction error:', err.message);
      if (!res.headersSent) send(res, 400, page('Sign-in failed', `<p data-testid="op-error">${escapeHtml(err.message)}</p>`));
    });
    return;
  }
  callback(req, res);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(`READY ${issuer}\n`);
