// Agreements: the grant matrix of those the department is a party to, each agreement's
// terms and signatures, and the stewards' workflow: propose (new or amendment, previewed
// as a diff of who gains and loses what), sign, suspend, resume, revoke.

import { graphql } from "../api.js";
import { announce, h, replace, uid } from "../dom.js";
import { formatDate, formatDateTime, nameOf, purposeName, t } from "../i18n.js";
import { governedFields } from "../schema.js";

const TERMS = `code version status title legalBasis purposes validFrom validUntil
  parties { department signedAt signedBy }
  grants { provider consumer recordType purposes scope { zones industries enterprises } fields { field level } }`;
const LIST = `{ agreements { ${TERMS} } }`;
const ONE = `query One($code: String!, $version: Int) { agreement(code: $code, version: $version) { ${TERMS} } }`;
const RESULT = `agreement { ${TERMS} } errors { field rule message }`;
const RECORD_TYPES = ["enterprise", "lifecycle_event", "dangerous_chemical_entry", "credit_rating", "risk", "safety_grade", "standardization_certificate", "enterprise_alteration"];

export async function render(main, parts, query, app) {
  if (parts[0] === "new") return editor(main, null, app);
  if (parts[0] && parts[1] === "amend") return editor(main, await one(parts[0], null), app);
  if (parts[0]) return detail(main, parts[0], query.get("version") ? Number(query.get("version")) : null, app);
  return list(main, app);
}

async function one(code, version) {
  const { data } = await graphql(ONE, { code, version });
  return data.agreement;
}

function isSteward(app) {
  return app.me.roles.includes("steward");
}

function scopeText(scope) {
  const parts = [...scope.zones, ...scope.industries, ...scope.enterprises];
  return parts.length ? parts.join(", ") : t("agreements.every_enterprise");
}

function matrix(agreements) {
  const rows = [];
  for (const agreement of agreements.filter((a) => a.status === "active")) {
    for (const grant of agreement.grants) {
      for (const field of grant.fields) {
        rows.push({ ...grant, field: field.field, level: field.level, agreement: `${agreement.code} v${agreement.version}` });
      }
    }
  }
  const providerId = uid("provider");
  const consumerId = uid("consumer");
  const departments = [...new Set(rows.flatMap((r) => [r.provider, r.consumer]))].sort();
  const body = h("tbody");
  const filters = { provider: "", consumer: "" };
  const fill = () => replace(body, rows
    .filter((r) => (!filters.provider || r.provider === filters.provider) && (!filters.consumer || r.consumer === filters.consumer))
    .map((r) => h("tr", { "data-grant": `${r.provider}>${r.consumer}:${r.recordType}.${r.field}` },
      h("td", {}, nameOf(r.provider)), h("td", {}, nameOf(r.consumer)), h("td", {}, t(`type.${r.recordType}`)),
      h("th", { scope: "row", class: "mono" }, r.field),
      h("td", {}, h("span", { class: `badge badge-${r.level.toLowerCase()}` }, nameOf(r.level))),
      h("td", {}, r.purposes.map(purposeName).join(", ")), h("td", {}, scopeText(r.scope)), h("td", { class: "mono small" }, r.agreement))));
  fill();
  const select = (id, key) => h("select", { id, onchange: (event) => { filters[key] = event.target.value; fill(); } },
    h("option", { value: "" }, t("agreements.all")), departments.map((d) => h("option", { value: d }, nameOf(d))));
  return h("section", { "aria-labelledby": "matrix-heading" },
    h("h2", { id: "matrix-heading" }, t("agreements.matrix")),
    h("div", { class: "filters" },
      h("p", {}, h("label", { for: providerId }, t("agreements.provider")), select(providerId, "provider")),
      h("p", {}, h("label", { for: consumerId }, t("agreements.consumer")), select(consumerId, "consumer"))),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("agreements.matrix") },
      h("table", { class: "data", id: "grant-matrix" },
        h("caption", {}, t("agreements.matrix_caption")),
        h("thead", {}, h("tr", {}, ["agreements.provider", "agreements.consumer", "agreements.record_type", "agreements.field",
          "agreements.level", "agreements.purposes", "agreements.scope", "agreements.agreement"].map((k) => h("th", { scope: "col" }, t(k))))),
        body)));
}

function parties(agreement) {
  return h("ul", { class: "parties" }, agreement.parties.map((p) =>
    h("li", { "data-party": p.department, "data-signed": String(Boolean(p.signedAt)) }, h("strong", {}, nameOf(p.department)), " — ",
      p.signedAt ? t("agreements.signed", { when: formatDateTime(p.signedAt), who: p.signedBy }) : t("agreements.unsigned"))));
}

async function list(main, app) {
  replace(main, h("h1", {}, t("agreements.heading")), h("p", { class: "loading" }, t("loading")));
  const { data } = await graphql(LIST);
  const agreements = data.agreements;
  replace(
    main,
    h("h1", {}, t("agreements.heading")),
    isSteward(app) ? h("p", {}, h("a", { href: "#/agreements/new", class: "button" }, t("agreements.new"))) : null,
    h("h2", {}, t("agreements.list")),
    agreements.length
      ? h("ul", { class: "cards" }, agreements.map((a) => h("li", { class: "card", "data-agreement": a.code },
          h("h3", {}, h("a", { href: `#/agreements/${encodeURIComponent(a.code)}` }, a.title)),
          h("p", { class: "mono small" }, `${a.code} · v${a.version} · `, h("span", { class: `status status-${a.status}` }, nameOf(a.status))),
          h("p", { class: "small" }, `${t("agreements.valid")}: ${formatDate(a.validFrom.slice(0, 10))} – ${formatDate(a.validUntil.slice(0, 10))}`),
          parties(a))))
      : h("p", { class: "notice" }, t("agreements.none")),
    matrix(agreements),
  );
}

async function act(main, app, mutation, variables, label, next) {
  const versioned = mutation.includes("$version");
  const versionType = mutation.startsWith("signAgreement") ? "Int!" : "Int";
  const definitions = versioned ? `$code: String!, $version: ${versionType}` : "$code: String!";
  const given = versioned ? variables : { code: variables.code };
  const { data } = await graphql(`mutation Act(${definitions}) { ${mutation} { ${RESULT} } }`, given);
  const payload = Object.values(data)[0];
  if (payload.errors.length) {
    main.appendChild(h("p", { class: "alert", role: "alert", "data-error": "input" }, payload.errors.map((e) => e.message).join(" ")));
    return;
  }
  await app.refreshMe();
  await next();
  announce(t("agreement.done", { action: label }));
  const notice = h("p", { class: "notice", role: "status", id: "action-done" }, t("agreement.done", { action: label }));
  main.querySelector("h1").after(notice);
}

async function detail(main, code, version, app) {
  replace(main, h("h1", {}, t("agreement.heading", { code })), h("p", { class: "loading" }, t("loading")));
  const agreement = await one(code, version);
  if (!agreement) {
    replace(main, h("h1", {}, t("agreement.heading", { code })), h("p", { class: "notice" }, t("agreements.none")));
    return;
  }
  const pending = version === null && agreement.status !== "proposed" ? await one(code, agreement.version + 1) : null;
  const mine = agreement.parties.find((p) => p.department === app.me.department);
  const again = () => detail(main, code, version ?? agreement.version, app);
  const vars = { code, version: agreement.version };
  const button = (id, label, mutation) => h("button", {
    type: "button", id, onclick: () => act(main, app, mutation, vars, label, again).catch((error) => app.showError(main, error)),
  }, label);
  const actions = [];
  if (isSteward(app) && mine) {
    if (agreement.status === "proposed" && !mine.signedAt) {
      actions.push(button("sign-agreement", t("agreement.sign", { department: nameOf(app.me.department) }), "signAgreement(code: $code, version: $version)"));
    }
    if (agreement.status === "proposed") actions.push(button("withdraw-agreement", t("agreement.withdraw"), "revokeAgreement(code: $code, version: $version)"));
    if (agreement.status === "active") actions.push(button("suspend-agreement", t("agreement.suspend"), "suspendAgreement(code: $code)"));
    if (agreement.status === "suspended") actions.push(button("resume-agreement", t("agreement.resume"), "resumeAgreement(code: $code)"));
    if (agreement.status === "active" || agreement.status === "suspended") {
      actions.push(button("revoke-agreement", t("agreement.revoke"), "revokeAgreement(code: $code, version: $version)"));
      if (!pending) actions.push(h("a", { class: "button", id: "amend-agreement", href: `#/agreements/${encodeURIComponent(code)}/amend` }, t("agreement.amend")));
    }
  }
  replace(
    main,
    h("p", {}, h("a", { href: "#/agreements" }, `← ${t("agreements.heading")}`)),
    h("h1", { "data-agreement": code, "data-version": String(agreement.version), "data-status": agreement.status }, agreement.title),
    h("p", { class: "mono" }, `${agreement.code} · v${agreement.version} · `, h("span", { class: `status status-${agreement.status}`, id: "agreement-status" }, nameOf(agreement.status))),
    pending ? h("p", { class: "notice" }, t("agreement.pending", { version: pending.version }), " ",
      h("a", { href: `#/agreements/${encodeURIComponent(code)}?version=${pending.version}`, id: "open-proposal" }, t("agreement.view_pending"))) : null,
    version !== null ? h("p", {}, h("a", { href: `#/agreements/${encodeURIComponent(code)}` }, t("agreement.view_current"))) : null,
    h("dl", { class: "details" },
      h("dt", {}, t("agreement.legal_basis")), h("dd", {}, agreement.legalBasis),
      h("dt", {}, t("agreements.purposes")), h("dd", {}, agreement.purposes.map(purposeName).join(", ")),
      h("dt", {}, t("agreements.valid")), h("dd", {}, `${formatDateTime(agreement.validFrom)} – ${formatDateTime(agreement.validUntil)}`)),
    h("h2", {}, t("agreements.parties")),
    parties(agreement),
    actions.length ? h("div", { class: "actions", role: "group", "aria-label": t("agreement.steward_only") }, actions) : h("p", { class: "muted small" }, t("agreement.steward_only")),
    matrix([{ ...agreement, status: "active" }]),
  );
}

// --- the editor: terms, then grants with a level per field; preview, then propose.

function splitList(value) {
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

function toInput(form, grants) {
  return {
    code: form.code.value.trim(),
    title: form.title.value.trim(),
    legalBasis: form.legalBasis.value.trim(),
    purposes: splitList(form.purposes.value),
    validFrom: `${form.validFrom.value}T00:00:00Z`,
    validUntil: `${form.validUntil.value}T23:59:59Z`,
    parties: splitList(form.parties.value),
    grants: grants.map((g) => ({
      provider: g.provider,
      consumers: [g.consumer],
      recordType: g.recordType,
      fields: Object.entries(g.levels).filter(([, level]) => level).map(([field, level]) => ({ field, level })),
      purposes: g.purposes.length ? g.purposes : null,
      scope: scopeInput(g.scope),
    })).filter((g) => g.fields.length),
  };
}

function scopeInput(scope) {
  if (!scope) return null;
  const given = Object.fromEntries(Object.entries(scope).filter(([, values]) => values.length));
  return Object.keys(given).length ? given : null;
}

function grantEditor(grant, index, onRemove) {
  const fields = [...new Set([...governedFields(grant.recordType), ...Object.keys(grant.levels)])].sort();
  const purposesId = uid("grant-purposes");
  return h("fieldset", { class: "grant", "data-grant": `${grant.provider}>${grant.consumer}:${grant.recordType}` },
    h("legend", {}, t("editor.grant", { n: index + 1, provider: nameOf(grant.provider), consumers: nameOf(grant.consumer), type: t(`type.${grant.recordType}`) })),
    h("div", { class: "field-levels" }, fields.map((field) => {
      const id = uid("level");
      return h("p", {}, h("label", { for: id, class: "mono" }, field),
        h("select", {
          id, "data-field": field,
          onchange: (event) => { grant.levels[field] = event.target.value || null; },
        },
        ["", "FULL", "MASKED"].map((level) => h("option", { value: level, selected: (grant.levels[field] || "") === level },
          level ? t(`editor.${level.toLowerCase()}`) : t("editor.none")))));
    })),
    h("p", {}, h("label", { for: purposesId }, t("editor.grant_purposes")),
      h("input", { id: purposesId, type: "text", value: grant.purposes.join(", "), onchange: (event) => { grant.purposes = splitList(event.target.value); } })),
    h("p", {}, h("button", { type: "button", onclick: onRemove }, t("editor.remove_grant"))));
}

function changeText(change) {
  const element = `${change.recordType}.${change.field}`;
  const params = { consumer: nameOf(change.consumer), provider: nameOf(change.provider), element,
    before: change.before ? nameOf(change.before) : t("editor.none"), after: change.after ? nameOf(change.after) : t("editor.none") };
  let text;
  if (!change.before) text = t("editor.gains", params);
  else if (!change.after) text = t("editor.loses", params);
  else text = t("editor.changes", params);
  const purposes = change.before && change.after && change.purposesBefore.join(",") !== change.purposesAfter.join(",")
    ? ` · ${t("editor.purposes_change", { before: change.purposesBefore.map(purposeName).join(", ") || "—", after: change.purposesAfter.map(purposeName).join(", ") || "—" })}`
    : "";
  return text + purposes;
}

async function editor(main, base, app) {
  const grants = (base?.grants || []).map((g) => ({
    provider: g.provider, consumer: g.consumer, recordType: g.recordType, purposes: g.purposes,
    scope: { zones: g.scope.zones, industries: g.scope.industries, enterprises: g.scope.enterprises },
    levels: Object.fromEntries(g.fields.map((f) => [f.field, f.level])),
  }));
  const ids = Object.fromEntries(["code", "title", "legalBasis", "purposes", "validFrom", "validUntil", "parties", "provider", "consumer", "recordType"].map((k) => [k, uid(k)]));
  const grantList = h("div", { class: "grants" });
  const diff = h("section", { class: "diff", "aria-live": "polite", id: "amendment-diff" });
  const drawGrants = () => replace(grantList, grants.map((g, i) => grantEditor(g, i, () => { grants.splice(i, 1); drawGrants(); })));
  const input = (key, label, value, attributes = {}) => h("p", {}, h("label", { for: ids[key] }, label),
    h("input", { id: ids[key], name: key, value: value ?? "", ...attributes }));
  const form = h("form", { class: "editor", onsubmit: (event) => event.preventDefault() },
    input("code", t("editor.code"), base?.code, base ? { readonly: true } : { required: true, pattern: "[a-z0-9][a-z0-9-]*" }),
    input("title", t("editor.title"), base?.title, { required: true }),
    input("legalBasis", t("editor.legal_basis"), base?.legalBasis, { required: true }),
    input("purposes", t("editor.purposes"), base?.purposes.join(", ")),
    input("validFrom", t("editor.valid_from"), base?.validFrom.slice(0, 10), { type: "date", required: true }),
    input("validUntil", t("editor.valid_until"), base?.validUntil.slice(0, 10), { type: "date", required: true }),
    input("parties", t("editor.parties"), base ? base.parties.map((p) => p.department).join(", ") : app.me.department),
    grantList,
    h("fieldset", { class: "grant new-grant" }, h("legend", {}, t("editor.new_grant")),
      input("provider", t("agreements.provider"), app.me.department),
      input("consumer", t("agreements.consumer"), ""),
      h("p", {}, h("label", { for: ids.recordType }, t("agreements.record_type")),
        h("select", { id: ids.recordType, name: "recordType" }, RECORD_TYPES.map((r) => h("option", { value: r }, t(`type.${r}`))))),
      h("p", {}, h("button", {
        type: "button", id: "add-grant",
        onclick: () => {
          grants.push({ provider: form.provider.value.trim(), consumer: form.consumer.value.trim(), recordType: form.recordType.value, purposes: [], scope: null, levels: {} });
          drawGrants();
        },
      }, t("editor.add_grant")))),
    h("div", { class: "actions" },
      h("button", {
        type: "button", id: "preview-amendment",
        onclick: () => preview().catch((error) => app.showError(diff, error)),
      }, t("editor.preview")),
      h("button", {
        type: "button", class: "primary", id: "propose-agreement",
        onclick: () => propose().catch((error) => app.showError(diff, error)),
      }, t("editor.propose")),
      h("a", { href: base ? `#/agreements/${encodeURIComponent(base.code)}` : "#/agreements", class: "button" }, t("editor.cancel"))),
  );
  async function preview() {
    const { data } = await graphql(`query Preview($input: AgreementInput!) { previewAmendment(input: $input) {
      provider consumer recordType field before after purposesBefore purposesAfter } }`, { input: toInput(form, grants) });
    const changes = data.previewAmendment;
    replace(diff, h("h2", {}, t("editor.diff")), changes.length
      ? h("ul", { class: "changes" }, changes.map((c) => h("li", {
          class: !c.before ? "gain" : !c.after ? "loss" : "change",
          "data-change": `${c.consumer}:${c.recordType}.${c.field}:${c.before ?? "NONE"}>${c.after ?? "NONE"}`,
        }, h("span", { "aria-hidden": "true" }, !c.before ? "+ " : !c.after ? "− " : "± "), changeText(c))))
      : h("p", {}, t("editor.no_changes")));
  }
  async function propose() {
    const { data } = await graphql(`mutation Propose($input: AgreementInput!) { proposeAgreement(input: $input) { ${RESULT} } }`, { input: toInput(form, grants) });
    const payload = data.proposeAgreement;
    if (payload.errors.length) {
      replace(diff, h("p", { class: "alert", role: "alert", "data-error": "input" }, payload.errors.map((e) => `${e.field}: ${e.message}`).join(" ")));
      return;
    }
    announce(t("editor.proposed", { version: payload.agreement.version }));
    app.navigate(`agreements/${encodeURIComponent(payload.agreement.code)}?version=${payload.agreement.version}`);
  }
  drawGrants();
  replace(main, h("h1", {}, base ? t("editor.heading_amend", { code: base.code }) : t("editor.heading_new")), form, diff);
}
