// Milliseconds since the epoch as ISO 8601 in UTC, exactly what Date#toISOString prints, by
// arithmetic. V8's toISOString looks up the local time zone through ICU on its first call, which
// pages ~0.9 MiB of node's executable (ICU code and zone data) into a daemon that has no use for
// it (bench/README.md, "idle daemon", sixth pass). The logger stamps every line with this.

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function isoTime(time: number): string {
  // A Date's time value is whole milliseconds, cut toward zero (ECMA-262 TimeClip).
  const ms = Math.trunc(time);
  const days = Math.floor(ms / DAY_MS);
  // Years 0-9999 only: toISOString writes others with a sign and six digits (and throws on NaN).
  if (!(days >= -719_528 && days <= 2_932_896)) return new Date(time).toISOString();
  // The proleptic Gregorian date of a day number, counted in 400-year eras from 0000-03-01 so
  // that the leap day ends each era's year (H. Hinnant, "chrono-compatible date algorithms").
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const t = ms - days * DAY_MS;
  const msPart = t % 1000;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(Math.floor(t / 3_600_000))}:${pad2(Math.floor(t / 60_000) % 60)}:${pad2(Math.floor(t / 1000) % 60)}.${msPart < 10 ? '00' : msPart < 100 ? '0' : ''}${msPart}Z`;
}
