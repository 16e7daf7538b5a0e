// The enterprise ledger: USCC, name, zone, lifecycle state, customs credit, standardization
// level and A–D grade; search and filters run in the API (so a filter the caller may not
// use is refused there), pages by keyset cursor, so page 2,000 costs what page 1 does.

import { graphql, withheld } from "../api.js";
import { announce, h, replace, uid } from "../dom.js";
import { fieldCell } from "../fields.js";
import * as grants from "../grants.js";
import { formatNumber, nameOf, t } from "../i18n.js";
import * as purpose from "../purpose.js";

const QUERY = `query Ledger($filter: EnterpriseFilter, $first: Int, $after: String) {
  enterprises(filter: $filter, first: $first, after: $after) {
    edges { node { uscc name owner zone status statusSince
      creditRatings { owner scheme grade effectiveOn }
      standardizationCertificates { owner level issuedOn }
      safetyGrades { owner scheme grade assessedOn } } }
    pageInfo { hasNextPage endCursor } } }`;
const USCC = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

const state = { search: "", zone: "", status: "", size: 50, cursors: [null], zones: new Set() };

function latest(records, dateField, keep = () => true) {
  return records.filter(keep).sort((a, b) => String(b[dateField] || "").localeCompare(String(a[dateField] || "")))[0] || null;
}

function filterOf() {
  const filter = {};
  const search = state.search.trim();
  if (search && USCC.test(search.toUpperCase())) filter.usccIn = [search.toUpperCase()];
  else if (search) filter.nameContains = search;
  if (state.zone) filter.zone = state.zone;
  if (state.status) filter.status = state.status;
  return Object.keys(filter).length ? filter : null;
}

function absentCell(context, provider, recordType, element) {
  const shared = provider === context.department || grants.sharesType(provider, recordType, context.purpose);
  return h("span", { "data-field": element, "data-state": shared ? "empty" : "not-shared", class: "cell-empty" },
    shared ? t("cell.none") : t("cell.not_shared"));
}

function ratingCell(context, typeName, recordType, field, record, provider, extra) {
  if (!record) return absentCell(context, provider, recordType, `${recordType}.${field}`);
  const described = context.schema.types[typeName].byName[field.replace(/_(\w)/g, (_, c) => c.toUpperCase())];
  return h("span", {}, fieldCell(context, typeName, recordType, described, record), extra ? h("span", { class: "muted" }, ` ${extra}`) : null);
}

export async function render(main, query, app) {
  const chosen = purpose.current();
  const searchId = uid("search");
  const zoneId = uid("zone");
  const statusId = uid("status");
  const sizeId = uid("size");
  const zones = h("datalist", { id: `${zoneId}-list` }, [...state.zones].sort().map((z) => h("option", { value: z })));
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        state.search = form.elements.search.value;
        state.zone = form.elements.zone.value.trim();
        state.status = form.elements.status.value;
        state.size = Number(form.elements.size.value);
        state.cursors = [null];
        render(main, query, app);
      },
    },
    h("p", {}, h("label", { for: searchId }, t("ledger.search")),
      h("input", { id: searchId, name: "search", type: "search", value: state.search, autocomplete: "off" })),
    h("p", {}, h("label", { for: zoneId }, t("ledger.zone")),
      h("input", { id: zoneId, name: "zone", type: "text", list: `${zoneId}-list`, value: state.zone, autocomplete: "off" }), zones),
    h("p", {}, h("label", { for: statusId }, t("ledger.status")),
      h("select", { id: statusId, name: "status" },
        h("option", { value: "" }, t("ledger.any")),
        app.schema.lifecycleKinds.map((kind) => h("option", { value: kind, selected: kind === state.status }, nameOf(kind))))),
    h("p", {}, h("label", { for: sizeId }, t("ledger.page_size")),
      h("select", { id: sizeId, name: "size" }, [25, 50, 100].map((n) => h("option", { value: String(n), selected: n === state.size }, formatNumber(n))))),
    h("p", { class: "actions" },
      h("button", { type: "submit", class: "primary", id: "ledger-search" }, t("ledger.apply")),
      h("button", {
        type: "button",
        onclick: () => {
          Object.assign(state, { search: "", zone: "", status: "", cursors: [null] });
          render(main, query, app);
        },
      }, t("ledger.reset"))),
  );
  const results = h("div", { class: "results", "aria-busy": "true" }, h("p", { class: "loading" }, t("loading")));
  replace(main, h("h1", {}, t("ledger.heading")), form, results);

  const page = state.cursors.length;
  const { data, errors } = await graphql(QUERY, { filter: filterOf(), first: state.size, after: state.cursors[page - 1] });
  const context = {
    department: app.me.department,
    purpose: chosen.purpose,
    withheld: withheld(errors),
    agreements: app.agreements,
    schema: app.schema,
  };
  const edges = data.enterprises.edges;
  for (const { node } of edges) if (node.zone) state.zones.add(node.zone);
  const describe = (name) => app.schema.types.Enterprise.byName[name];
  const rows = edges.map(({ node }) => {
    const credit = latest(node.creditRatings, "effectiveOn", (r) => r.scheme === "customs_enterprise_credit" || r.owner === "customs");
    const certificate = latest(node.standardizationCertificates, "issuedOn");
    const grade = latest(node.safetyGrades, "assessedOn");
    return h("tr", { "data-uscc": node.uscc },
      h("th", { scope: "row" }, h("a", { href: `#/enterprise/${encodeURIComponent(node.uscc)}`, class: "mono" }, node.uscc)),
      h("td", {}, node.name),
      h("td", {}, fieldCell(context, "Enterprise", "enterprise", describe("zone"), node)),
      h("td", {}, fieldCell(context, "Enterprise", "enterprise", describe("status"), node)),
      h("td", { "data-column": "credit" }, ratingCell(context, "CreditRating", "credit_rating", "grade", credit, "customs")),
      h("td", { "data-column": "standardization" }, ratingCell(context, "StandardizationCertificate", "standardization_certificate", "level", certificate, "emergency")),
      h("td", { "data-column": "grade" }, ratingCell(context, "SafetyGrade", "safety_grade", "grade", grade, "emergency", grade?.scheme ? `(${nameOf(grade.scheme)})` : "")));
  });
  const problems = errors.filter((e) => e.extensions?.code !== "FORBIDDEN");
  replace(
    results,
    problems.map((e) => h("p", { class: "alert", role: "alert", "data-error": e.extensions?.code || "error" }, e.message)),
    rows.length
      ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("ledger.caption", { page }) },
          h("table", { class: "data", id: "ledger-table" },
            h("caption", {}, t("ledger.caption", { page })),
            h("thead", {}, h("tr", {}, ["col.uscc", "col.name", "col.zone", "col.status", "col.credit", "col.standardization", "col.grade"]
              .map((key) => h("th", { scope: "col" }, t(key))))),
            h("tbody", {}, rows)))
      : h("p", { class: "notice" }, t("ledger.empty")),
    h("nav", { class: "pager", "aria-label": t("ledger.caption", { page }) },
      h("button", {
        type: "button", id: "ledger-previous", disabled: page === 1,
        onclick: () => { state.cursors.pop(); render(main, query, app); },
      }, t("ledger.previous")),
      h("span", { class: "muted" }, ` ${formatNumber(page)} `),
      h("button", {
        type: "button", id: "ledger-next", disabled: !data.enterprises.pageInfo.hasNextPage,
        onclick: () => { state.cursors.push(data.enterprises.pageInfo.endCursor); render(main, query, app); },
      }, t("ledger.next"))),
  );
  results.removeAttribute("aria-busy");
  announce(t("ledger.caption", { page }));
}
