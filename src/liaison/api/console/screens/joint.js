// The joint-supervision screens (plans, visits, referrals, incidents, recognitions,
// certificates, the joint discipline list) appear as the API
// gains them: each entry names the root field it needs, and is offered only when the
// schema has it. Until a screen of its own is written, a generic list shows the records
// with every leaf field the API offers, through the same cells as every other screen.

import { graphql, withheld } from "../api.js";
import { h, replace } from "../dom.js";
import { fieldCell } from "../fields.js";
import { t } from "../i18n.js";
import * as purpose from "../purpose.js";
import { has, rootTypeName } from "../schema.js";

const JOINT = [
  { key: "plans", field: "jointInspectionPlans", label: "nav.plans" },
  { key: "visits", field: "jointInspectionVisits", label: "nav.visits" },
  { key: "referrals", field: "referrals", label: "nav.referrals" },
  { key: "incidents", field: "incidents", label: "nav.incidents" },
  { key: "recognitions", field: "recognitions", label: "nav.recognitions" },
  { key: "certificates", field: "certificates", label: "nav.certificates" },
  { key: "discipline", field: "jointDisciplineList", label: "nav.discipline" },
];

export function available() {
  return JOINT.filter((screen) => has(screen.field));
}

const TYPE_REF = "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

// The named type under any NON_NULL and LIST wrappers ([Edge!]! is Edge).
function named(type) {
  let found = type;
  while (found && !found.name) found = found.ofType;
  return found ? found.name : null;
}

async function fieldsOf(name) {
  const { data } = await graphql(`query T($name: String!) { __type(name: $name) { fields { name description ${TYPE_REF} } } }`, { name });
  return data.__type?.fields || [];
}

export async function render(main, key, app) {
  const screen = JOINT.find((s) => s.key === key && has(s.field));
  if (!screen) {
    app.navigate("ledger");
    return;
  }
  replace(main, h("h1", {}, t(screen.label)), h("p", { class: "loading" }, t("loading")));
  const connection = await fieldsOf(rootTypeName(screen.field));
  const edgeType = named(connection.find((f) => f.name === "edges")?.type);
  const typeName = named((await fieldsOf(edgeType)).find((f) => f.name === "node")?.type);
  const fields = await fieldsOf(typeName);
  const leaves = fields.filter((f) => ["SCALAR", "ENUM"].includes(f.type.kind) || ["SCALAR", "ENUM"].includes(f.type.ofType?.kind));
  const { data, errors } = await graphql(`{ ${screen.field}(first: 50) { edges { node { ${leaves.map((f) => f.name).join(" ")} } } } }`);
  const context = { department: app.me.department, purpose: purpose.current().purpose, withheld: withheld(errors), agreements: app.agreements, schema: app.schema };
  const described = leaves.map((f) => {
    const element = /\[([a-z_]+)\.([a-z_]+)\]/.exec(f.description || "");
    return { name: f.name, field: element ? element[2] : f.name, element: element ? `${element[1]}.${element[2]}` : null,
      governed: (f.description || "").includes("Shared only through an agreement grant"), mask: null, leaf: true };
  });
  const recordType = described.find((d) => d.element)?.element.split(".")[0] || screen.key;
  replace(main, h("h1", {}, t(screen.label)), h("p", { class: "muted" }, t("joint.generic")),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t(screen.label) },
      h("table", { class: "data" },
        h("thead", {}, h("tr", {}, described.map((d) => h("th", { scope: "col" }, d.field)))),
        h("tbody", {}, data[screen.field].edges.map(({ node }) =>
          h("tr", {}, described.map((d) => h("td", {}, fieldCell(context, typeName, recordType, d, node)))))))));
}
