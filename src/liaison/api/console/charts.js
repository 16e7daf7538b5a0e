// Bar charts on Apache ECharts (vendored, pinned; see vendor.lock.json), with the same
// figures as a table beside them for screen readers and keyboard users.

import { h } from "./dom.js";
import { formatNumber, locale, t } from "./i18n.js";

const PALETTE = ["#0b57d0", "#b3261e", "#146c2e", "#8a4b00", "#6a1b9a", "#00696f", "#5f6368"];

export function barChart({ id, title, categories, series, label = (x) => x, stacked = true }) {
  const canvas = h("div", { class: "chart", id, role: "img", "aria-label": title });
  const table = h("details", { class: "chart-data" },
    h("summary", {}, t("risks.chart_table")),
    h("div", { class: "table-wrap" }, h("table", { class: "data", "data-chart": id },
      h("caption", {}, title),
      h("thead", {}, h("tr", {}, h("td", {}), series.map((s) => h("th", { scope: "col" }, label(s.name))))),
      h("tbody", {}, categories.map((category, i) =>
        h("tr", {}, h("th", { scope: "row" }, category), series.map((s) => h("td", { "data-value": s.values[i] }, formatNumber(s.values[i])))))))));
  const figure = h("figure", { class: "chart-figure" }, h("figcaption", {}, title), canvas, table);
  requestAnimationFrame(() => draw(canvas, categories, series, label, stacked));
  return figure;
}

function draw(element, categories, series, label, stacked) {
  if (!window.echarts || !element.isConnected) return;
  const chart = window.echarts.init(element, null, { renderer: "svg", locale: locale() === "zh-CN" ? "ZH" : "EN" });
  chart.setOption({
    color: PALETTE,
    animation: false,
    aria: { enabled: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, bottom: 8, top: 48, containLabel: true },
    yAxis: { type: "category", data: categories, inverse: true, axisLabel: { interval: 0, width: 150, overflow: "break" } },
    xAxis: { type: "value", minInterval: 1 },
    series: series.map((s) => ({ name: label(s.name), type: "bar", stack: stacked ? "total" : undefined, data: s.values })),
  });
  element.dataset.rendered = "true";
  new ResizeObserver(() => chart.resize()).observe(element);
}
