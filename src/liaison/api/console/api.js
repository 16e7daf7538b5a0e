// GraphQL over HTTP to same-origin /graphql: the person's bearer token and the session's
// purpose on every request, nothing else (no cookies: credentials "omit").

import { SessionEnded, accessToken, tokenRefused } from "./auth.js";
import * as purpose from "./purpose.js";

export class ApiError extends Error {
  constructor(kind, message, errors = []) {
    super(message);
    this.kind = kind;
    this.errors = errors;
  }
}

async function post(token, query, variables) {
  return fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      Authorization: `Bearer ${token}`,
      ...purpose.headers(),
    },
    body: JSON.stringify({ query, variables: variables || {} }),
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
}

// {data, errors}: errors that came with data (FORBIDDEN fields, PURPOSE_REQUIRED) are the
// screens' to show; a request the server refused outright throws ApiError.
export async function graphql(query, variables) {
  let response;
  try {
    response = await post(await accessToken(), query, variables);
    if (response.status === 401) response = await post(await tokenRefused(), query, variables);
  } catch (error) {
    if (error instanceof SessionEnded) throw error;
    throw new ApiError("network", error.message);
  }
  if (response.status === 401) throw new SessionEnded("the access token was refused");
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError("network", `HTTP ${response.status}`);
  }
  const errors = body.errors || [];
  if (response.status === 429) {
    throw new ApiError("rate_limited", response.headers.get("Retry-After") || "60", errors);
  }
  if (body.data === undefined || body.data === null) {
    throw new ApiError(errors[0]?.extensions?.code || "error", errors.map((e) => e.message).join(" "), errors);
  }
  return { data: body.data, errors };
}

// The FORBIDDEN errors of an answer, by GraphQL "Type.field": the owners withholding it.
export function withheld(errors) {
  const found = new Map();
  for (const error of errors) {
    const extensions = error.extensions || {};
    if (extensions.code !== "FORBIDDEN" || !extensions.field) continue;
    const owners = found.get(extensions.field) || new Set();
    for (const owner of extensions.owners || []) owners.add(owner);
    found.set(extensions.field, owners);
  }
  return found;
}
