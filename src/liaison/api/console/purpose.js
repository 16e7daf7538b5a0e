// The stated purpose and case reference of this session: chosen first, sent with every
// request (Liaison-Purpose, Liaison-Case), always shown in the header, changed in one click.

const KEY = "liaison.purpose";
const CASE_PATTERN = /^[A-Za-z0-9 _\-/.:]{1,128}$/;
const listeners = new Set();

let chosen = load();

function load() {
  const saved = sessionStorage.getItem(KEY);
  return saved ? JSON.parse(saved) : null;
}

export function purposeChosen() {
  return chosen !== null;
}

export function current() {
  return chosen || { purpose: null, caseReference: null };
}

// Headers are ISO-8859-1 in browsers: a case reference is kept to printable ASCII.
export function validCase(value) {
  return value === "" || CASE_PATTERN.test(value);
}

export function choose(purpose, caseReference) {
  chosen = { purpose: purpose || null, caseReference: caseReference || null };
  sessionStorage.setItem(KEY, JSON.stringify(chosen));
  for (const listener of listeners) listener(chosen);
}

export function forget() {
  chosen = null;
  sessionStorage.removeItem(KEY);
}

export function onChange(listener) {
  listeners.add(listener);
}

export function headers() {
  const result = {};
  if (chosen?.purpose) result["Liaison-Purpose"] = chosen.purpose;
  if (chosen?.caseReference) result["Liaison-Case"] = chosen.caseReference;
  return result;
}
