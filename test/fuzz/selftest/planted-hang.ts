// Engine self-test: an input with a zero first byte loops forever (the watchdog must catch it).
export function fuzz(data: Buffer): void {
  if (data.length > 2 && data[0] === 0 && data[1] === 0) for (;;) { /* planted hang */ }
}
