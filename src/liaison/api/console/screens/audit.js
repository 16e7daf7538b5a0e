// For auditors: who read my department's data — by enterprise, field, purpose, case and
// period — and whether the audit chain verifies.

import { graphql } from "../api.js";
import { announce, h, replace, uid } from "../dom.js";
import { formatDateTime, formatNumber, nameOf, purposeName, t } from "../i18n.js";

const CHAIN = "{ auditChain { intact complete checkedEvents newlyChecked headSeq headHash brokenAt reason checkedAt } }";
const LOG = `query Log($filter: AccessLogFilter, $first: Int, $after: String) {
  accessLog(filter: $filter, first: $first, after: $after) {
    edges { node { seq occurredAt subject department clientId operationType operationName purpose caseReference outcome
      disclosures { provider recordType field level agreement { code version } recordCount reason }
      records { provider recordType recordId enterpriseUscc } } }
    pageInfo { hasNextPage endCursor } } }`;
const FIELDS = ["provider", "consumer", "enterpriseUscc", "recordType", "field", "purpose", "caseReference", "from", "until", "outcome"];
const LABELS = { provider: "audit.provider", consumer: "audit.consumer", enterpriseUscc: "audit.enterprise", recordType: "audit.record_type",
  field: "audit.field", purpose: "audit.purpose", caseReference: "audit.case", from: "audit.from", until: "audit.until", outcome: "audit.outcome" };

const state = { filter: null, cursors: [null] };

async function chainPanel(panel) {
  const { data } = await graphql(CHAIN);
  const chain = data.auditChain;
  const summary = chain.intact
    ? chain.complete
      ? t("audit.chain_intact", { checked: formatNumber(chain.checkedEvents), head: formatNumber(chain.headSeq) })
      : t("audit.chain_partial", { checked: formatNumber(chain.checkedEvents), head: formatNumber(chain.headSeq) })
    : t("audit.chain_broken", { seq: chain.brokenAt, reason: chain.reason });
  replace(panel,
    h("h2", {}, t("audit.chain")),
    h("p", { class: chain.intact ? "chain-ok" : "alert", id: "chain-status", "data-intact": String(chain.intact), role: chain.intact ? null : "alert" }, summary),
    h("p", { class: "muted small mono-wrap" }, t("audit.chain_details", { hash: chain.headHash, when: formatDateTime(chain.checkedAt), newly: formatNumber(chain.newlyChecked) })),
    h("button", { type: "button", id: "chain-recheck", onclick: () => chainPanel(panel) }, t("audit.recheck")));
}

function filterForm(main, app) {
  const given = state.filter || { provider: app.me.roles.includes("admin") ? "" : app.me.department };
  const ids = Object.fromEntries(FIELDS.map((f) => [f, uid(f)]));
  const control = (name) => {
    if (name === "outcome") {
      return h("select", { id: ids[name], name }, h("option", { value: "" }, t("ledger.any")),
        ["OK", "PARTIAL", "DENIED", "ERROR"].map((o) => h("option", { value: o, selected: given[name] === o }, t(`outcome.${o}`))));
    }
    const type = name === "from" || name === "until" ? "date" : "text";
    const value = type === "date" && given[name] ? given[name].slice(0, 10) : given[name] || "";
    return h("input", { id: ids[name], name, type, value, autocomplete: "off" });
  };
  const form = h("form", {
    class: "filters", role: "search",
    onsubmit: (event) => {
      event.preventDefault();
      const filter = {};
      for (const name of FIELDS) {
        const value = form.elements[name].value.trim();
        if (!value) continue;
        filter[name] = name === "from" || name === "until" ? `${value}T00:00:00Z` : value;
      }
      state.filter = filter;
      state.cursors = [null];
      render(main, app);
    },
  }, FIELDS.map((name) => h("p", {}, h("label", { for: ids[name] }, t(LABELS[name])), control(name))),
  h("p", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "audit-search" }, t("audit.search"))));
  return form;
}

function eventRow(node) {
  const enterprises = [...new Set(node.records.map((r) => r.enterpriseUscc).filter(Boolean))];
  return h("tr", { "data-seq": String(node.seq), "data-subject": node.subject, "data-outcome": node.outcome },
    h("th", { scope: "row" }, formatDateTime(node.occurredAt), h("span", { class: "muted small block" }, `#${node.seq}`)),
    h("td", {}, h("strong", {}, node.subject), h("span", { class: "muted small block" }, nameOf(node.department))),
    h("td", {}, node.operationType, node.operationName ? h("span", { class: "mono small block" }, node.operationName) : null),
    h("td", {}, node.purpose ? purposeName(node.purpose) : "—", node.caseReference ? h("span", { class: "mono small block" }, node.caseReference) : null),
    h("td", {}, h("span", { class: `badge badge-outcome-${node.outcome.toLowerCase()}` }, t(`outcome.${node.outcome}`))),
    h("td", {}, h("ul", { class: "plain small" }, node.disclosures.map((d) =>
      h("li", { "data-disclosure": `${d.provider}:${d.recordType}.${d.field}:${d.level}` },
        h("span", { class: "mono" }, `${d.recordType}.${d.field}`), ` ${d.level}`,
        d.agreement ? h("span", { class: "muted" }, ` · ${d.agreement.code} v${d.agreement.version}`) : h("span", { class: "muted" }, ` · ${d.reason}`),
        ` · ${formatNumber(d.recordCount)}`)))),
    h("td", {}, formatNumber(node.records.length), enterprises.length ? h("span", { class: "mono small block" }, enterprises.join(", ")) : null));
}

export async function render(main, app) {
  if (!app.me.roles.includes("auditor") && !app.me.roles.includes("admin")) {
    replace(main, h("h1", {}, t("audit.heading")), h("p", { class: "notice" }, t("audit.forbidden")));
    return;
  }
  const panel = h("section", { class: "chain", "aria-labelledby": "chain-heading" });
  const results = h("div", { class: "results" }, h("p", { class: "loading" }, t("loading")));
  replace(main, h("h1", {}, t("audit.heading")), h("p", {}, t("audit.intro")), panel, filterForm(main, app), results);
  const filter = state.filter || (app.me.roles.includes("admin") ? {} : { provider: app.me.department });
  const page = state.cursors.length;
  const [{ data }] = await Promise.all([
    graphql(LOG, { filter, first: 25, after: state.cursors[page - 1] }),
    chainPanel(panel),
  ]);
  const edges = data.accessLog.edges;
  replace(results,
    edges.length
      ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("audit.caption") },
          h("table", { class: "data", id: "access-log" },
            h("caption", {}, t("audit.caption")),
            h("thead", {}, h("tr", {}, ["audit.when", "audit.who", "audit.operation", "audit.purpose", "audit.outcome", "audit.what", "audit.records"]
              .map((k) => h("th", { scope: "col" }, t(k))))),
            h("tbody", {}, edges.map((e) => eventRow(e.node)))))
      : h("p", { class: "notice" }, t("audit.none")),
    h("nav", { class: "pager", "aria-label": t("audit.caption") },
      h("button", { type: "button", disabled: page === 1, onclick: () => { state.cursors.pop(); render(main, app); } }, t("ledger.previous")),
      h("button", {
        type: "button", id: "audit-older", disabled: !data.accessLog.pageInfo.hasNextPage,
        onclick: () => { state.cursors.push(data.accessLog.pageInfo.endCursor); render(main, app); },
      }, t("audit.older"))));
  announce(t("audit.caption"));
}
