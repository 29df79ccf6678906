// Expand every event of an iCalendar file with Mozilla's ical.js (the parser inside
// Thunderbird) and print the occurrences as JSON, for the Python tests to compare with the
// directory's own expansion.
//
//   node tests/ical/expand.mjs FEED.ics 2026-01-01 2027-12-31
//
// Prints {"calendar": {...}, "occurrences": [...]}; each occurrence has the event's UID,
// SUMMARY, LOCATION, the zone ical.js resolved ("floating" means it found no VTIMEZONE), the
// local wall-clock start and end, and the same instants in UTC computed from the file's own
// VTIMEZONE (so a wrong VTIMEZONE shows up as a wrong UTC time).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, from, to] = process.argv.slice(2);
if (!file || !from || !to) {
  console.error("usage: node expand.mjs FILE.ics YYYY-MM-DD YYYY-MM-DD");
  process.exit(2);
}
// Stop runaway rules (e.g. a bad COUNT) instead of looping for ever.
const MAX_PER_EVENT = 5000;

const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const windowStart = ICAL.Time.fromDateString(from);
const windowEnd = ICAL.Time.fromDateString(to);
windowEnd.adjust(1, 0, 0, 0); // the whole last day

const pad = (n) => String(n).padStart(2, "0");
const wallClock = (t) =>
  `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;
const utc = (t) => {
  const u = t.convertToZone(ICAL.Timezone.utcTimezone);
  return `${wallClock(u)}Z`;
};
const zoneOf = (t) => (t.zone ? t.zone.tzid : "floating");

// Group exceptions (RECURRENCE-ID) with their master, as a calendar app does.
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) {
    exceptions.push(event);
  } else {
    masters.set(event.uid, event);
  }
}
for (const exception of exceptions) {
  const master = masters.get(exception.uid);
  if (master) {
    master.relateException(exception);
  }
}

const occurrences = [];
for (const event of masters.values()) {
  const iterator = event.iterator();
  let count = 0;
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (++count > MAX_PER_EVENT) {
      throw new Error(`more than ${MAX_PER_EVENT} occurrences for ${event.uid}`);
    }
    if (next.compare(windowEnd) >= 0) {
      break;
    }
    const details = event.getOccurrenceDetails(next);
    if (details.endDate.compare(windowStart) <= 0) {
      continue;
    }
    occurrences.push({
      uid: event.uid,
      summary: details.item.summary,
      location: details.item.location,
      zone: zoneOf(details.startDate),
      start: wallClock(details.startDate),
      end: wallClock(details.endDate),
      start_utc: utc(details.startDate),
      end_utc: utc(details.endDate),
    });
  }
}
occurrences.sort((a, b) =>
  a.start_utc === b.start_utc ? a.uid.localeCompare(b.uid) : a.start_utc.localeCompare(b.start_utc),
);

const calendarProps = {};
for (const name of ["name", "x-wr-calname", "refresh-interval", "x-published-ttl", "method"]) {
  const value = root.getFirstPropertyValue(name);
  calendarProps[name] = value === null ? null : String(value);
}
process.stdout.write(JSON.stringify({ calendar: calendarProps, occurrences }));
