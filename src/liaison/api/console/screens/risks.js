// Open hidden dangers, overdue first, then by deadline and level; and charts of what was
// loaded (aggregates.js: of the N loaded, until the API counts for us).

import { risksByZoneAndStatus } from "../aggregates.js";
import { graphql, withheld } from "../api.js";
import { barChart } from "../charts.js";
import { announce, h, replace } from "../dom.js";
import { fieldCell } from "../fields.js";
import { formatNumber, nameOf, t } from "../i18n.js";
import * as purpose from "../purpose.js";
import { has } from "../schema.js";

const PAGE = 200;
const QUERY = `query Risks($first: Int, $after: String) {
  risks(first: $first, after: $after) {
    edges { node { id owner category level status overdue foundOn rectificationDeadline supervisingDepartment
      enterprise { uscc name zone } } }
    pageInfo { hasNextPage endCursor } } }`;

const loaded = { purpose: undefined, risks: [], errors: [], after: null, more: true };

async function loadMore() {
  const { data, errors } = await graphql(QUERY, { first: PAGE, after: loaded.after });
  loaded.risks.push(...data.risks.edges.map((e) => e.node));
  loaded.errors.push(...errors);
  loaded.after = data.risks.pageInfo.endCursor;
  loaded.more = data.risks.pageInfo.hasNextPage;
}

function order(a, b) {
  if (Boolean(a.overdue) !== Boolean(b.overdue)) return a.overdue ? -1 : 1;
  const deadline = String(a.rectificationDeadline ?? "9999").localeCompare(String(b.rectificationDeadline ?? "9999"));
  if (deadline) return deadline;
  return (a.level === "MAJOR" ? 0 : 1) - (b.level === "MAJOR" ? 0 : 1);
}

export async function render(main, app) {
  const chosen = purpose.current();
  if (loaded.purpose !== chosen.purpose) Object.assign(loaded, { purpose: chosen.purpose, risks: [], errors: [], after: null, more: true });
  replace(main, h("h1", {}, t("risks.heading")), h("p", { class: "loading" }, t("loading")));
  if (loaded.risks.length === 0 && loaded.more) await loadMore();
  const context = {
    department: app.me.department,
    purpose: chosen.purpose,
    withheld: withheld(loaded.errors),
    agreements: app.agreements,
    schema: app.schema,
  };
  const open = loaded.risks.filter((r) => r.status !== "CLOSED").sort(order);
  const described = app.schema.types.Risk.byName;
  const cell = (risk, name) => fieldCell(context, "Risk", "risk", described[name], risk);
  const grouped = risksByZoneAndStatus(loaded.risks);
  const count = formatNumber(grouped.of);
  const more = loaded.more
    ? h("button", { type: "button", id: "risks-more", onclick: async () => { await loadMore(); render(main, app); } }, t("risks.load_more"))
    : h("span", { class: "muted" }, t("risks.all_loaded"));
  replace(
    main,
    h("h1", {}, t("risks.heading")),
    h("p", { class: "notice", id: "risks-loaded", "data-loaded": String(grouped.of) }, t("risks.loaded", { count }), " ", more),
    h("div", { class: "charts" },
      barChart({ id: "chart-zone-status", title: t("risks.by_zone", { count }), categories: grouped.categories, series: grouped.series, label: nameOf }),
      has("jointInspections")
        ? h("p", {}, t("risks.hours"))
        : h("figure", { class: "chart-figure", id: "chart-hours" }, h("figcaption", {}, t("risks.hours")),
            h("p", { class: "notice" }, t("risks.hours_unavailable")))),
    h("h2", {}, t("risks.open")),
    open.length
      ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("risks.open") },
          h("table", { class: "data", id: "risks-table" },
            h("caption", { class: "visually-hidden" }, t("risks.open")),
            h("thead", {}, h("tr", {}, ["risks.enterprise", "agreements.field", "agreements.level", "risks.deadline", "audit.outcome", "risks.found"]
              .map((key, i) => h("th", { scope: "col" }, i === 1 ? t("type.risk") : i === 4 ? t("ledger.status") : t(key))))),
            h("tbody", {}, open.map((risk) =>
              h("tr", { class: risk.overdue ? "overdue" : "", "data-risk": risk.id, "data-overdue": String(Boolean(risk.overdue)) },
                h("th", { scope: "row" }, h("a", { href: `#/enterprise/${encodeURIComponent(risk.enterprise.uscc)}` }, risk.enterprise.name),
                  h("span", { class: "muted small block" }, risk.enterprise.zone ?? "")),
                h("td", {}, cell(risk, "category"), h("span", { class: "muted small block" }, nameOf(risk.owner))),
                h("td", {}, cell(risk, "level")),
                h("td", {}, cell(risk, "rectificationDeadline"), risk.overdue ? h("span", { class: "badge badge-overdue" }, t("risks.overdue")) : null),
                h("td", {}, cell(risk, "status")),
                h("td", {}, cell(risk, "foundOn")))))))
      : h("p", { class: "notice" }, t("risks.none_open")),
  );
  announce(t("risks.loaded", { count }));
}
