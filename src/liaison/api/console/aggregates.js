// Counts for the charts, from the records the console has loaded through the gate — only
// what the caller may see is counted, and a withheld value is never grouped on (it counts
// as "withheld"). Every figure says how many records it is "of". This is the one module
// to switch to the API's grouped counts (totalCount, counts per zone / status) once they
// exist; the screens only read what these functions return.

export const WITHHELD = "—";

export function risksByZoneAndStatus(risks) {
  const zones = new Map();
  const statuses = new Set();
  for (const risk of risks) {
    const zone = risk.enterprise?.zone ?? WITHHELD;
    const status = risk.status ?? WITHHELD;
    statuses.add(status);
    const counts = zones.get(zone) || new Map();
    counts.set(status, (counts.get(status) || 0) + 1);
    zones.set(zone, counts);
  }
  const zoneNames = [...zones.keys()].sort();
  const statusNames = [...statuses].sort();
  return {
    of: risks.length,
    categories: zoneNames,
    series: statusNames.map((status) => ({
      name: status,
      values: zoneNames.map((zone) => zones.get(zone).get(status) || 0),
    })),
  };
}

// Joint inspections' reception hours saved, per month: from the inspections loaded.
export function receptionHoursSaved(inspections) {
  const months = new Map();
  for (const inspection of inspections) {
    const month = String(inspection.month ?? inspection.visitedOn ?? "").slice(0, 7) || WITHHELD;
    const hours = Number(inspection.receptionHoursSaved);
    if (!Number.isFinite(hours)) continue;
    months.set(month, (months.get(month) || 0) + hours);
  }
  const categories = [...months.keys()].sort();
  return { of: inspections.length, categories, series: [{ name: "hours", values: categories.map((m) => months.get(m)) }] };
}
