// Reads iCalendar files with two JavaScript parsers (Mozilla's ical.js, node-ical) and prints,
// per parser, what each VEVENT says: uid, summary, and start/end as UTC epoch seconds (timed) or
// YYYY-MM-DD (all-day). Run with TZ=UTC so node-ical's all-day dates are UTC midnights.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";
import nodeIcal from "node-ical";

function icalJs(text) {
  const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent");
  return events.map((component) => {
    const event = new ICAL.Event(component);
    const when = (t) => (t.isDate ? t.toString() : t.toUnixTime());
    return { uid: event.uid, summary: event.summary, start: when(event.startDate), end: when(event.endDate) };
  });
}

function nodeIcalRead(text) {
  const found = Object.values(nodeIcal.sync.parseICS(text)).filter((c) => c.type === "VEVENT");
  const when = (d) => (d.dateOnly ? d.toISOString().slice(0, 10) : Math.round(d.getTime() / 1000));
  const text_ = (v) => (typeof v === "object" && v !== null && "val" in v ? v.val : v);
  return found.map((e) => ({ uid: e.uid, summary: text_(e.summary), start: when(e.start), end: when(e.end) }));
}

const out = {};
for (const path of process.argv.slice(2)) {
  const text = readFileSync(path, "utf8");
  out[path] = { "ical.js": icalJs(text), "node-ical": nodeIcalRead(text) };
}
process.stdout.write(JSON.stringify(out));
