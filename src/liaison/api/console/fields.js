// One value of one record, shown as what it is: the value in full, masked (with how), or
// withheld (with the grant that would be needed and the agreements that could carry it)
// — never a bare blank. Every cell says its state in data-state for tests and styling.

import { h } from "./dom.js";
import * as grants from "./grants.js";
import { fieldName, formatDate, formatNumber, nameOf, purposeName, t } from "./i18n.js";

const DATE_FIELDS = /(_on|_date|_until|_since|deadline)$/;
const AMOUNT_FIELDS = new Set(["quantity", "declared_value", "score"]);

export function formatValue(field, value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (DATE_FIELDS.test(field)) return formatDate(value);
  if (AMOUNT_FIELDS.has(field)) return formatNumber(value);
  if (/^[A-Z_]+$/.test(String(value))) return nameOf(value);
  return String(value);
}

// context: {department, purpose, withheld: Map("Type.field" -> Set(owner)), agreements}
export function fieldCell(context, typeName, recordType, described, record) {
  const value = record[described.name];
  const owner = record.owner;
  const element = described.element || `${recordType}.${described.field}`;
  const base = { "data-field": element, "data-owner": owner };
  const withholders = context.withheld.get(`${typeName}.${described.name}`);
  if (value === null && owner !== context.department && withholders?.has(owner)) {
    return withheldCell(context, base, owner, element);
  }
  if (value === null || value === undefined) {
    return h("span", { ...base, "data-state": "empty", class: "cell-empty" }, t("cell.none"));
  }
  const shown = formatValue(described.field, value);
  if (owner !== context.department && described.governed) {
    const level = grants.level(owner, recordType, described.field, context.purpose);
    if (level === "MASKED") {
      const how = described.mask || t("cell.masked");
      return h(
        "span",
        { ...base, "data-state": "masked", class: "cell-masked", title: t("masked.title", { how }) },
        h("span", { class: "badge badge-masked" }, t("cell.masked")),
        " ",
        h("span", { "data-value": String(value) }, shown),
        h("span", { class: "visually-hidden" }, ` (${t("masked.title", { how })})`),
      );
    }
  }
  return h("span", { ...base, "data-state": "full", "data-value": String(value) }, shown);
}

function withheldCell(context, base, owner, element) {
  const between = (context.agreements || []).filter(
    (a) => a.parties.some((p) => p.department === owner) && a.parties.some((p) => p.department === context.department),
  );
  const needs = t("withheld.needs", {
    owners: nameOf(owner),
    consumer: nameOf(context.department),
    element,
    purpose: context.purpose ? purposeName(context.purpose) : t("purpose.unset"),
  });
  const carriers = between.length
    ? t("withheld.agreements", { agreements: between.map((a) => `${a.code} (v${a.version}, ${nameOf(a.status)})`).join(", ") })
    : t("withheld.no_agreement");
  return h(
    "span",
    { ...base, "data-state": "withheld", class: "cell-withheld" },
    h("span", { class: "badge badge-withheld" }, t("cell.withheld")),
    h("span", { class: "withheld-why" }, ` ${needs} ${carriers}`),
  );
}

export function fieldLabel(described) {
  return fieldName(described.field);
}
