// One enterprise as the caller's department may see it: the registry's record, then what
// each department shares about it, each record with its owner, each value full, masked
// (and how) or withheld (and what grant would be needed).

import { graphql, withheld } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { fieldCell, fieldLabel } from "../fields.js";
import * as grants from "../grants.js";
import { nameOf, t } from "../i18n.js";
import * as purpose from "../purpose.js";
import { leafSelection } from "../schema.js";

const SECTIONS = [
  ["lifecycle", "LifecycleEvent"],
  ["dangerousChemicalEntries", "DangerousChemicalEntry"],
  ["creditRatings", "CreditRating"],
  ["risks", "Risk"],
  ["safetyGrades", "SafetyGrade"],
  ["standardizationCertificates", "StandardizationCertificate"],
];
const PROVIDERS = ["customs", "emergency", "market", "park", "ecology"];

function query() {
  const lists = SECTIONS.map(([field, type]) => `${field} { ${leafSelection(type)} }`).join(" ");
  return `query Enterprise($uscc: String!) { enterprise(uscc: $uscc) { ${leafSelection("Enterprise")} ${lists} } }`;
}

function recordTable(context, typeName, records) {
  const type = context.schema.types[typeName];
  const columns = type.fields.filter((f) => f.leaf && f.name !== "id" && f.name !== "owner");
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t(`type.${type.recordType}`) },
    h("table", { class: "data records", "data-type": type.recordType },
      h("caption", { class: "visually-hidden" }, t(`type.${type.recordType}`)),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("enterprise.owner")),
        columns.map((f) => h("th", { scope: "col" }, fieldLabel(f))))),
      h("tbody", {}, records.map((record) =>
        h("tr", { "data-record": `${type.recordType}:${record.id}`, "data-owner": record.owner },
          h("th", { scope: "row" }, h("span", { class: "owner", title: record.owner }, nameOf(record.owner))),
          columns.map((f) => h("td", {}, fieldCell(context, typeName, type.recordType, f, record))))))));
}

function section(context, field, typeName, records) {
  const type = context.schema.types[typeName];
  const owners = new Set(records.map((r) => r.owner));
  const silent = PROVIDERS.filter(
    (p) => p !== context.department && !owners.has(p) && !grants.sharesType(p, type.recordType, context.purpose),
  );
  return h("section", { class: "record-section", "data-section": type.recordType, "aria-labelledby": `section-${field}` },
    h("h2", { id: `section-${field}` }, t(`type.${type.recordType}`), " ",
      h("span", { class: "muted" }, t("enterprise.records", { count: records.length }))),
    records.length ? recordTable(context, typeName, records) : h("p", { class: "notice" }, t("enterprise.no_records")),
    silent.length
      ? h("p", { class: "muted small", "data-not-shared": silent.join(" ") },
          t("enterprise.not_shared_type", { owner: silent.map(nameOf).join(", "), type: t(`type.${type.recordType}`) }))
      : null);
}

export async function render(main, uscc, app) {
  replace(main, h("h1", {}, t("enterprise.heading")), h("p", { class: "loading" }, t("loading")));
  const chosen = purpose.current();
  const { data, errors } = await graphql(query(), { uscc });
  const enterprise = data.enterprise;
  const back = h("p", {}, h("a", { href: "#/ledger" }, `← ${t("enterprise.back")}`));
  if (!enterprise) {
    replace(main, back, h("h1", {}, t("enterprise.heading")), h("p", { class: "notice" }, t("enterprise.not_found", { uscc })));
    return;
  }
  const context = {
    department: app.me.department,
    purpose: chosen.purpose,
    withheld: withheld(errors),
    agreements: app.agreements,
    schema: app.schema,
  };
  const type = app.schema.types.Enterprise;
  const details = type.fields.filter((f) => f.leaf && !["id", "uscc", "name", "owner"].includes(f.name));
  replace(
    main,
    back,
    h("h1", { "data-uscc": enterprise.uscc }, enterprise.name, " ", h("span", { class: "mono muted" }, enterprise.uscc)),
    errors.filter((e) => e.extensions?.code !== "FORBIDDEN").map((e) => h("p", { class: "alert", role: "alert" }, e.message)),
    h("section", { class: "record-section", "data-section": "enterprise", "aria-labelledby": "section-registry" },
      h("h2", { id: "section-registry" }, t("enterprise.details"), " ",
        h("span", { class: "muted" }, t("record.owner", { owner: nameOf(enterprise.owner) }))),
      h("dl", { class: "details", "data-record": `enterprise:${enterprise.id ?? enterprise.uscc}`, "data-owner": enterprise.owner },
        details.map((f) => [h("dt", {}, fieldLabel(f)), h("dd", {}, fieldCell(context, "Enterprise", "enterprise", f, enterprise))]))),
    SECTIONS.map(([field, typeName]) => section(context, field, typeName, enterprise[field] || [])),
  );
  announce(enterprise.name);
}
