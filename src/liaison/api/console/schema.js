// What the API offers, read from its own schema (introspection) once per session: each
// shared type's fields with the element they share, whether it is governed, and how it is
// masked — so screens follow the API rather than a copy of it — and which root fields
// exist, so screens for workflows appear only once the API has them.

import { graphql } from "./api.js";

export const RECORD_TYPES = {
  Enterprise: "enterprise",
  LifecycleEvent: "lifecycle_event",
  DangerousChemicalEntry: "dangerous_chemical_entry",
  CreditRating: "credit_rating",
  Risk: "risk",
  SafetyGrade: "safety_grade",
  StandardizationCertificate: "standardization_certificate",
  EnterpriseAlteration: "enterprise_alteration",
};

const TYPE_FIELDS = "name description type { kind name ofType { kind name ofType { kind name } } }";

let loaded = null;

function leafKind(type) {
  let found = type;
  while (found && (found.kind === "NON_NULL" || found.kind === "LIST")) {
    if (found.kind === "LIST") return null;
    found = found.ofType;
  }
  return found && (found.kind === "SCALAR" || found.kind === "ENUM") ? found.name : null;
}

function describe(field) {
  const text = field.description || "";
  const element = /\[([a-z_]+)\.([a-z_]+)\]/.exec(text);
  const mask = /Masked: (.*?)\.?$/.exec(text);
  return {
    name: field.name,
    field: element ? element[2] : field.name,
    element: element ? `${element[1]}.${element[2]}` : null,
    governed: text.includes("Shared only through an agreement grant"),
    mask: mask ? mask[1] : null,
    leaf: leafKind(field.type),
  };
}

export async function loadSchema() {
  if (loaded) return loaded;
  const aliases = Object.keys(RECORD_TYPES)
    .map((name) => `${name}: __type(name: "${name}") { fields { ${TYPE_FIELDS} } }`)
    .join(" ");
  const query = `{ Query: __type(name: "Query") { fields { name type { kind name ofType { kind name ofType { kind name } } } } }
    LifecycleKind: __type(name: "LifecycleKind") { enumValues { name } }
    RiskStatus: __type(name: "RiskStatus") { enumValues { name } }
    ${aliases} }`;
  const { data } = await graphql(query);
  const types = {};
  for (const [name, recordType] of Object.entries(RECORD_TYPES)) {
    const fields = (data[name]?.fields || []).map(describe);
    types[name] = { name, recordType, fields, byName: Object.fromEntries(fields.map((f) => [f.name, f])) };
  }
  loaded = {
    types,
    rootFields: new Set((data.Query?.fields || []).map((f) => f.name)),
    rootTypes: Object.fromEntries((data.Query?.fields || []).map((f) => [f.name, f.type])),
    lifecycleKinds: (data.LifecycleKind?.enumValues || []).map((v) => v.name),
    riskStatuses: (data.RiskStatus?.enumValues || []).map((v) => v.name),
  };
  return loaded;
}

export function has(rootField) {
  return Boolean(loaded?.rootFields.has(rootField));
}

// The named type a root field returns (a connection, for the list screens).
export function rootTypeName(rootField) {
  let type = loaded?.rootTypes[rootField];
  while (type && !type.name) type = type.ofType;
  return type ? type.name : null;
}

// The selection of every leaf field of a type (so a new field shows up without a change).
export function leafSelection(typeName, skip = []) {
  return loaded.types[typeName].fields
    .filter((f) => f.leaf && !skip.includes(f.name))
    .map((f) => f.name)
    .join(" ");
}

export function governedFields(recordType) {
  const type = Object.values(loaded.types).find((t) => t.recordType === recordType);
  return type ? type.fields.filter((f) => f.governed && f.leaf).map((f) => f.field) : [];
}

export function recordTypeOf(typeName) {
  return RECORD_TYPES[typeName];
}
