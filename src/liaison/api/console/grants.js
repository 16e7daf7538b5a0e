// What the caller's department may see of others' records (`me { grants }`): screens use
// it to tell "masked" from "full" and "not shared for this purpose" from "none recorded".

let grants = [];

export function setGrants(list) {
  grants = list || [];
}

function matching(provider, recordType, purpose) {
  return grants.filter(
    (g) => g.provider === provider && g.recordType === recordType && (!purpose || g.purposes.includes(purpose)),
  );
}

export function level(provider, recordType, field, purpose) {
  const found = matching(provider, recordType, purpose).filter((g) => g.field === field);
  if (found.some((g) => g.level === "FULL")) return "FULL";
  return found.length ? "MASKED" : null;
}

export function sharesType(provider, recordType, purpose) {
  return matching(provider, recordType, purpose).length > 0;
}

export function providersOf(recordType, purpose) {
  const found = grants.filter((g) => g.recordType === recordType && (!purpose || g.purposes.includes(purpose)));
  return [...new Set(found.map((g) => g.provider))];
}

export function purposes() {
  return [...new Set(grants.flatMap((g) => g.purposes))].sort();
}
