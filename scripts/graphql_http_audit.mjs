// The GraphQL-over-HTTP server audit of the npm package graphql-http, run against a
// Liaison server. Started by scripts/graphql_http_audit.py, which installs graphql-http
// next to a copy of this file and passes the server's URL and a bearer token:
//
//   LIAISON_AUDIT_URL=http://127.0.0.1:8000/graphql LIAISON_AUDIT_TOKEN=... node graphql_http_audit.mjs
//
// Every request carries the token (Liaison answers 401 without one, by contract). Prints
// one line per audit and exits 1 on any error or warning (notices are MAY items).
import { auditServer } from 'graphql-http';

const url = process.env.LIAISON_AUDIT_URL;
const token = process.env.LIAISON_AUDIT_TOKEN;
if (!url || !token) {
  console.error('set LIAISON_AUDIT_URL and LIAISON_AUDIT_TOKEN');
  process.exit(2);
}

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithToken });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  const line = `${result.status.toUpperCase().padEnd(6)} ${result.id} ${result.name}`;
  if (result.status === 'ok') {
    console.log(line);
  } else {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      body = '(body already read)';
    }
    console.log(`${line}\n       ${result.reason}\n       ${result.response.status} ${body.slice(0, 300)}`);
  }
}
console.log(
  `\n${results.length} audits: ${counts.ok} ok, ${counts.notice} notices, ` +
    `${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.error || counts.warn ? 1 : 0);
