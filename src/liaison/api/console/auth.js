// The person's sign-in: OAuth 2 authorization code with PKCE (S256), from this page.
//
// - The verifier and state of a sign-in in progress live in sessionStorage (they must
//   outlast the trip to the login page) and are removed the moment the answer comes back.
// - The access token lives in this module's memory only; it is sent only as
//   `Authorization: Bearer` to same-origin /graphql, never in a cookie, so no other site
//   can make the browser use it (no CSRF surface).
// - The refresh token is kept in sessionStorage so that a reload of this tab keeps the
//   session; it is gone when the tab closes. Script injected into this origin could read
//   it — as it could use the in-memory access token — so the console's Content-Security-
//   Policy allows only this origin's scripts and the console never builds HTML from data.
// - Refreshed before expiry, one refresh at a time (a refresh token is good once: a second
//   use would revoke the whole sign-in); log-out revokes it at the revocation endpoint.

const PENDING_KEY = "liaison.sign-in";
const SESSION_KEY = "liaison.session";
const REFRESH_MARGIN_SECONDS = 30;

let access = null; // {token, expiresAt (ms)}
let refreshing = null; // the refresh in flight
let timer = null;
const listeners = new Set();

export class SignInError extends Error {
  constructor(reason, detail = "") {
    super(`${reason}${detail ? `: ${detail}` : ""}`);
    this.reason = reason;
    this.detail = detail;
  }
}

export class SessionEnded extends Error {
  constructor(detail) {
    super(detail);
    this.detail = detail;
  }
}

export function onSessionEnded(listener) {
  listeners.add(listener);
}

function ended(detail) {
  clearSession();
  for (const listener of listeners) listener(detail);
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(length) {
  return base64url(crypto.getRandomValues(new Uint8Array(length)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export function redirectUri() {
  return `${location.origin}/console/callback`;
}

export async function providers() {
  const response = await fetch("/console/config.json", { credentials: "omit", cache: "no-store" });
  if (!response.ok) throw new SignInError("unreachable");
  return (await response.json()).providers;
}

export async function beginSignIn(provider, returnTo) {
  const verifier = randomToken(48);
  const state = randomToken(24);
  const pending = {
    state,
    verifier,
    returnTo,
    provider: {
      name: provider.name,
      token_endpoint: provider.token_endpoint,
      revocation_endpoint: provider.revocation_endpoint,
      client_id: provider.client_id,
    },
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(provider.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.client_id);
  url.searchParams.set("redirect_uri", redirectUri());
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await challengeOf(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  if (provider.name !== "liaison" && provider.scopes?.length) {
    url.searchParams.set("scope", provider.scopes.join(" "));
  }
  location.assign(url.toString());
}

async function postForm(url, fields) {
  const body = new URLSearchParams(fields);
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = {};
  }
  return { status: response.status, answer };
}

// The answer at /console/callback: returns where to go next, or throws SignInError.
export async function completeSignIn(query) {
  const saved = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one answer per sign-in, whatever happens
  const pending = saved ? JSON.parse(saved) : null;
  if (query.get("error")) {
    throw new SignInError("provider_error", query.get("error_description") || query.get("error"));
  }
  const code = query.get("code");
  if (!pending || !code) throw new SignInError("no_pending");
  if (query.get("state") !== pending.state) {
    // Refused here, before any exchange. The code is presented without a verifier, so the
    // server refuses it too and the refusal is in the audit trail of the person it belongs to.
    await postForm(pending.provider.token_endpoint, {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: pending.provider.client_id,
    }).catch(() => null);
    throw new SignInError("state_mismatch");
  }
  let result;
  try {
    result = await postForm(pending.provider.token_endpoint, {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: pending.provider.client_id,
      code_verifier: pending.verifier,
    });
  } catch {
    throw new SignInError("unreachable");
  }
  if (result.status !== 200 || !result.answer.access_token) {
    throw new SignInError("exchange", result.answer.error_description || result.answer.error || String(result.status));
  }
  keep(result.answer, pending.provider);
  return pending.returnTo || "";
}

function keep(answer, provider) {
  access = { token: answer.access_token, expiresAt: Date.now() + answer.expires_in * 1000 };
  if (answer.refresh_token) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ refresh: answer.refresh_token, provider }));
  }
  schedule(answer.expires_in);
}

function schedule(seconds) {
  clearTimeout(timer);
  const wait = Math.max(5, seconds - REFRESH_MARGIN_SECONDS) * 1000;
  timer = setTimeout(() => {
    refresh().catch(() => null);
  }, wait);
}

function stored() {
  const saved = sessionStorage.getItem(SESSION_KEY);
  return saved ? JSON.parse(saved) : null;
}

export function hasSession() {
  return access !== null || stored() !== null;
}

// One refresh at a time; a refused refresh ends the session with the server's reason.
export function refresh() {
  if (refreshing) return refreshing;
  const session = stored();
  if (!session) return Promise.reject(new SessionEnded("no session"));
  refreshing = (async () => {
    let result;
    try {
      result = await postForm(session.provider.token_endpoint, {
        grant_type: "refresh_token",
        refresh_token: session.refresh,
        client_id: session.provider.client_id,
      });
    } catch {
      throw new Error("network");
    }
    if (result.status !== 200 || !result.answer.access_token) {
      const detail = result.answer.error_description || result.answer.error || String(result.status);
      ended(detail);
      throw new SessionEnded(detail);
    }
    keep(result.answer, session.provider);
    return access.token;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function accessToken() {
  if (access && Date.now() < access.expiresAt - REFRESH_MARGIN_SECONDS * 1000) return access.token;
  return refresh();
}

// The API refused the token (401): refresh once; the caller retries with the new token.
export function tokenRefused() {
  access = null;
  return refresh();
}

function clearSession() {
  clearTimeout(timer);
  access = null;
  sessionStorage.removeItem(SESSION_KEY);
}

export async function signOut() {
  const session = stored();
  const token = session?.refresh || access?.token;
  clearSession();
  if (session?.provider.revocation_endpoint && token) {
    await postForm(session.provider.revocation_endpoint, {
      token,
      token_type_hint: session.refresh ? "refresh_token" : "access_token",
      client_id: session.provider.client_id,
    }).catch(() => null);
  }
}
