// Signed out: the sign-in options of /console/config.json (the embedded issuer first),
// and why the last session ended or a sign-in was refused, if it was.

import * as auth from "../auth.js";
import { h, replace } from "../dom.js";
import { LANGUAGES, locale, setLocale, t } from "../i18n.js";

let last = [null, {}, "info"];

export function rerender(root) {
  render(root, ...last);
}

export async function render(root, messageKey = null, params = {}, kind = "info") {
  last = [messageKey, params, kind];
  const list = h("ul", { class: "providers" });
  const main = h(
    "main",
    { id: "main", class: "sign-in", tabindex: "-1" },
    h("h1", {}, t("signin.heading")),
    h("p", {}, t("signin.intro")),
    messageKey
      ? h("p", { class: kind === "alert" ? "alert" : "notice", role: kind === "alert" ? "alert" : "status", id: "sign-in-message", "data-message": messageKey }, t(messageKey, params))
      : null,
    list,
    h(
      "div",
      { class: "language", role: "group", "aria-label": t("language") },
      LANGUAGES.map((language) =>
        h("button", {
          type: "button", class: "language-button", lang: language.code, "data-language": language.code,
          "aria-pressed": String(language.code === locale()), onclick: () => setLocale(language.code),
        }, language.label)),
    ),
  );
  replace(root, main);
  let providers;
  try {
    providers = await auth.providers();
  } catch {
    list.replaceWith(h("p", { class: "alert", role: "alert" }, t("signin.unreachable")));
    return;
  }
  for (const provider of providers) {
    const name = provider.name === "liaison" ? t("signin.embedded") : provider.name;
    list.appendChild(
      h("li", {}, h("button", {
        type: "button", class: "primary", "data-provider": provider.name,
        onclick: () => auth.beginSignIn(provider, location.pathname === "/console" ? location.hash : ""),
      }, t("signin.with", { name }))),
    );
  }
  const first = list.querySelector("button");
  if (first && !messageKey) first.focus();
  else main.querySelector("h1").focus();
}
