// A real graphql-transport-ws client (the npm package graphql-ws) against a Liaison server:
// the token travels in connectionParams, a subscription receives an event a mutation over
// HTTP caused, withheld fields come back null with FORBIDDEN, and a bad token is closed 4403.
// Started by scripts/graphql_http_audit.py after the HTTP audit, which passes:
//
//   LIAISON_AUDIT_URL=http://127.0.0.1:8000/graphql  LIAISON_AUDIT_TOKEN=<customs reader>
//   LIAISON_WS_WRITER_TOKEN=<emergency contributor>  node graphql_ws_client.mjs
//
// Prints one line per check and exits 1 if any fails.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const url = process.env.LIAISON_AUDIT_URL;
const reader = process.env.LIAISON_AUDIT_TOKEN;
const writer = process.env.LIAISON_WS_WRITER_TOKEN;
if (!url || !reader || !writer) {
  console.error('set LIAISON_AUDIT_URL, LIAISON_AUDIT_TOKEN and LIAISON_WS_WRITER_TOKEN');
  process.exit(2);
}
const wsUrl = url.replace(/^http/, 'ws');
let failures = 0;

function check(ok, name, detail = '') {
  console.log(`${ok ? 'OK  ' : 'FAIL'}   ${name}${ok || !detail ? '' : `\n       ${detail}`}`);
  if (!ok) failures += 1;
}

async function post(query, variables, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

function day(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

async function reportRisk(uscc) {
  const body = await post(
    `mutation($input: ReportRiskInput!) { reportRisk(input: $input) { risk { id } errors { message } } }`,
    {
      input: {
        uscc,
        category: 'graphql-ws check',
        description: 'reported by scripts/graphql_ws_client.mjs',
        level: 'GENERAL',
        foundOn: day(0),
        rectificationDeadline: day(30),
        supervisingDepartment: 'emergency',
      },
    },
    writer,
  );
  return body.data.reportRisk.risk.id;
}

// 1. A subscription over graphql-ws receives the event a mutation over HTTP caused.
const page = await post('{ enterprises(first: 1) { edges { node { uscc } } } }', {}, writer);
const uscc = page.data.enterprises.edges[0].node.uscc;
const client = createClient({
  url: wsUrl,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  connectionParams: { Authorization: `Bearer ${reader}`, 'Liaison-Purpose': 'joint_inspection' },
});
const event = await new Promise((resolve, reject) => {
  let reports = 0;
  let done = false;
  const timer = setTimeout(() => reject(new Error('no event within 20 s')), 20_000);
  let stop = () => {};
  stop = client.subscribe(
    { query: `subscription($u: String) { riskChanged(uscc: $u) { id owner category level description } }`, variables: { u: uscc } },
    {
      next: (value) => {
        done = true;
        clearTimeout(timer);
        stop();
        resolve(value);
      },
      error: (error) => reject(error),
      complete: () => {},
    },
  );
  // The protocol acknowledges no subscribe: report until one event has come through.
  const again = async () => {
    if (done || reports >= 10) return;
    reports += 1;
    await reportRisk(uscc);
    setTimeout(again, 2_000);
  };
  client.on('connected', () => setTimeout(again, 500));
}).catch((error) => ({ failed: String(error) }));
await client.dispose();
check(!event.failed && event.data?.riskChanged?.owner === 'emergency', 'a subscription receives the event of a mutation over HTTP', JSON.stringify(event));
check(event.data?.riskChanged?.category === 'graphql-ws check', 'granted fields arrive as granted', JSON.stringify(event.data));
check(
  event.data?.riskChanged?.description === null &&
    event.errors?.length === 1 &&
    event.errors[0].extensions?.code === 'FORBIDDEN' &&
    event.errors[0].extensions?.field === 'Risk.description',
  'a field the agreement withholds is null with one FORBIDDEN error',
  JSON.stringify(event.errors),
);

// 2. A bad token in connectionParams closes the socket with 4403 and a reason.
const closed = await new Promise((resolve) => {
  const refused = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: { Authorization: 'Bearer not-a-token' },
    on: { closed: (event) => resolve({ code: event.code, reason: event.reason }) },
  });
  refused.on('closed', () => refused.dispose());
});
check(closed.code === 4403 && closed.reason.startsWith('Forbidden: '), 'a bad token is closed with 4403', JSON.stringify(closed));

console.log(`\n${failures ? `${failures} check(s) failed` : 'all graphql-ws checks passed'}`);
process.exit(failures ? 1 : 0);
