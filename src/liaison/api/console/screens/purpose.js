// The session's purpose and case reference, chosen before anything is read.

import { h, replace, uid } from "../dom.js";
import * as grants from "../grants.js";
import { purposeName, t } from "../i18n.js";
import * as purpose from "../purpose.js";

export function render(root, app, chosen) {
  const current = purpose.current();
  const offered = grants.purposes();
  const selectId = uid("purpose");
  const caseId = uid("case");
  const helpId = uid("case-help");
  const errorId = uid("case-error");
  const select = h(
    "select",
    { id: selectId, name: "purpose" },
    offered.map((code) => h("option", { value: code, selected: code === (current.purpose || offered[0]) }, `${purposeName(code)} (${code})`)),
    h("option", { value: "", selected: offered.length === 0 || (purpose.purposeChosen() && !current.purpose) }, t("purpose.none")),
  );
  const caseInput = h("input", {
    id: caseId, name: "case", type: "text", maxlength: "128", autocomplete: "off",
    value: current.caseReference || "", "aria-describedby": helpId,
  });
  const problem = h("p", { id: errorId, class: "field-error", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      class: "purpose-form",
      onsubmit: (event) => {
        event.preventDefault();
        const reference = caseInput.value.trim();
        if (!purpose.validCase(reference)) {
          problem.textContent = t("purpose.case_invalid");
          problem.hidden = false;
          caseInput.setAttribute("aria-invalid", "true");
          caseInput.setAttribute("aria-describedby", `${helpId} ${errorId}`);
          caseInput.focus();
          return;
        }
        chosen(select.value, reference);
      },
    },
    h("p", {}, h("label", { for: selectId }, t("purpose.label")), select),
    h("p", {}, h("label", { for: caseId }, t("purpose.case")), caseInput,
      h("span", { id: helpId, class: "help" }, t("purpose.case_help"))),
    problem,
    h("p", {}, h("button", { type: "submit", class: "primary", id: "start-session" }, t("purpose.start"))),
  );
  replace(
    root,
    h("main", { id: "main", class: "sign-in", tabindex: "-1" },
      h("h1", {}, t("purpose.heading")),
      h("p", {}, t("purpose.intro")),
      form),
  );
  select.focus();
}
