// The console's shell: sign-in, purpose, header and navigation, and a hash router that
// hands each screen the <main> element. Screens live in screens/*.js.

import { ApiError, graphql } from "./api.js";
import * as auth from "./auth.js";
import { announce, h, replace, setStatusRegion } from "./dom.js";
import * as grants from "./grants.js";
import { LANGUAGES, applyLocale, locale, nameOf, purposeName, setLocale, t } from "./i18n.js";
import * as purpose from "./purpose.js";
import { loadSchema } from "./schema.js";
import * as agreementScreens from "./screens/agreements.js";
import * as auditScreen from "./screens/audit.js";
import * as enterpriseScreen from "./screens/enterprise.js";
import * as jointScreens from "./screens/joint.js";
import * as ledgerScreen from "./screens/ledger.js";
import * as purposeScreen from "./screens/purpose.js";
import * as risksScreen from "./screens/risks.js";
import * as signInScreen from "./screens/signin.js";

const root = document.getElementById("app");
const app = { me: null, schema: null, agreements: [], navigate, refreshMe, showError };

const ME = `{ me { subject department roles clientId purpose caseReference
  grants { provider recordType field level purposes agreement agreementVersion } }
  agreements { code version status parties { department } } }`;

function navigate(route) {
  if (location.hash === `#/${route}`) renderRoute();
  else location.hash = `#/${route}`;
}

function routeOf() {
  const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "ledger";
  const [path, query = ""] = hash.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

function screens() {
  const list = [
    { key: "ledger", label: t("nav.ledger") },
    { key: "risks", label: t("nav.risks") },
    { key: "agreements", label: t("nav.agreements") },
  ];
  if (app.me.roles.includes("auditor") || app.me.roles.includes("admin")) {
    list.push({ key: "audit", label: t("nav.audit") });
  }
  for (const joint of jointScreens.available()) list.push({ key: `joint/${joint.key}`, label: t(joint.label) });
  return list;
}

function languageSwitch() {
  return h(
    "div",
    { class: "language", role: "group", "aria-label": t("language") },
    LANGUAGES.map((language) =>
      h(
        "button",
        {
          type: "button",
          class: "language-button",
          lang: language.code,
          "aria-pressed": String(language.code === locale()),
          "data-language": language.code,
          onclick: () => setLocale(language.code),
        },
        language.label,
      ),
    ),
  );
}

function purposeBar() {
  const chosen = purpose.current();
  return h(
    "div",
    { class: "purpose-bar", id: "purpose-bar", "data-purpose": chosen.purpose || "", "data-case": chosen.caseReference || "" },
    h("span", { class: "purpose-item" }, h("span", { class: "label" }, `${t("purpose.current")}: `),
      h("strong", { id: "current-purpose" }, chosen.purpose ? purposeName(chosen.purpose) : t("purpose.unset"))),
    chosen.caseReference
      ? h("span", { class: "purpose-item" }, h("span", { class: "label" }, `${t("purpose.case_current")}: `),
          h("strong", { id: "current-case" }, chosen.caseReference))
      : null,
    h("button", { type: "button", class: "link-button", id: "change-purpose", onclick: () => askPurpose() }, t("purpose.change")),
  );
}

function shell() {
  const parts = routeOf().parts;
  // A joint screen is current by its own key ("joint/plans"), not by the "joint" prefix.
  const current = parts[0] === "joint" ? parts.slice(0, 2).join("/") : parts[0] || "ledger";
  const main = h("main", { id: "main", tabindex: "-1" });
  const status = h("p", { id: "status", role: "status", "aria-live": "polite" });
  setStatusRegion(status);
  replace(
    root,
    h("a", { class: "skip-link", href: "#main", onclick: (event) => { event.preventDefault(); main.focus(); } }, t("skip")),
    h(
      "header",
      { class: "topbar" },
      h("div", { class: "brand" }, h("span", { class: "brand-name" }, t("app.title")), h("span", { class: "brand-sub" }, t("app.subtitle"))),
      purposeBar(),
      h(
        "div",
        { class: "who" },
        h("span", { id: "who", title: t("session.roles", { roles: app.me.roles.join(", ") }) },
          t("session.user", { subject: app.me.subject, department: nameOf(app.me.department) })),
        h("button", { type: "button", class: "link-button", id: "sign-out", onclick: signOut }, t("session.signout")),
      ),
      languageSwitch(),
    ),
    h(
      "nav",
      { "aria-label": t("nav.label"), class: "tabs" },
      h("ul", {}, screens().map((screen) =>
        h("li", {}, h("a", {
          href: `#/${screen.key}`,
          "data-screen": screen.key,
          "aria-current": current === screen.key || (current === "enterprise" && screen.key === "ledger") ? "page" : null,
        }, screen.label)))),
    ),
    main,
    h("footer", { class: "footer" }, status),
  );
  return main;
}

async function renderRoute() {
  if (!app.me) return;
  const route = routeOf();
  const main = shell();
  const [screen, ...rest] = route.parts;
  try {
    if (screen === "enterprise" && rest[0]) await enterpriseScreen.render(main, rest[0], app);
    else if (screen === "risks") await risksScreen.render(main, app);
    else if (screen === "agreements") await agreementScreens.render(main, rest, route.query, app);
    else if (screen === "audit") await auditScreen.render(main, app);
    else if (screen === "joint" && rest[0]) await jointScreens.render(main, rest[0], app);
    else await ledgerScreen.render(main, route.query, app);
  } catch (error) {
    showError(main, error);
  }
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function showError(container, error) {
  if (error instanceof auth.SessionEnded) {
    sessionEnded(error.detail);
    return;
  }
  let message;
  if (error instanceof ApiError && error.kind === "network") message = t("error.network");
  else if (error instanceof ApiError && error.kind === "rate_limited") message = t("error.rate_limited", { seconds: error.message });
  else if (error instanceof ApiError && error.kind === "FORBIDDEN") message = t("error.forbidden", { message: error.message });
  else message = t("error.generic", { message: error.message });
  container.appendChild(h("p", { class: "alert", role: "alert", "data-error": error.kind || "error" }, message));
}

async function refreshMe() {
  const { data } = await graphql(ME);
  app.me = data.me;
  app.agreements = data.agreements;
  grants.setGrants(data.me.grants);
}

function askPurpose() {
  purposeScreen.render(root, app, (chosenPurpose, caseReference) => {
    purpose.choose(chosenPurpose, caseReference);
    announce(`${t("purpose.current")}: ${chosenPurpose ? purposeName(chosenPurpose) : t("purpose.unset")}`);
    renderRoute();
  });
}

async function signOut() {
  await auth.signOut();
  purpose.forget();
  app.me = null;
  signInScreen.render(root, "session.signed_out", {}, "info");
}

function sessionEnded(detail) {
  app.me = null;
  purpose.forget();
  signInScreen.render(root, "session.expired", { reason: detail }, "alert");
}

async function start() {
  applyLocale();
  auth.onSessionEnded((detail) => sessionEnded(detail));
  window.addEventListener("liaison:locale", () => {
    if (app.me && purpose.purposeChosen()) renderRoute();
    else if (app.me) askPurpose();
    else signInScreen.rerender(root);
  });
  if (location.pathname === "/console/callback") {
    replace(root, h("main", { id: "main" }, h("p", { class: "loading", role: "status" }, t("signin.working"))));
    const query = new URLSearchParams(location.search);
    // The code and state leave the address bar (and the history) at once.
    history.replaceState(null, "", "/console");
    try {
      const returnTo = await auth.completeSignIn(query);
      history.replaceState(null, "", `/console${returnTo || "#/ledger"}`);
    } catch (error) {
      const reason = error instanceof auth.SignInError ? error.reason : "unreachable";
      signInScreen.render(root, `signin.${reason}`, { reason: error.detail || "" }, "alert");
      return;
    }
  }
  if (!auth.hasSession()) {
    signInScreen.render(root);
    return;
  }
  try {
    await refreshMe();
    app.schema = await loadSchema();
  } catch (error) {
    if (error instanceof auth.SessionEnded) sessionEnded(error.detail);
    else showError(replace(root, h("main", { id: "main" })).firstChild, error);
    return;
  }
  window.addEventListener("hashchange", () => renderRoute());
  if (purpose.purposeChosen()) renderRoute();
  else askPurpose();
}

start();
