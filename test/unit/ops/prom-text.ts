// A small parser of the Prometheus text exposition format (0.0.4), so tests read metrics by name,
// type, labels and value instead of grepping.
export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Exposition { types: Map<string, string>; help: Map<string, string>; samples: Sample[] }

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq).trim();
    if (text[eq + 1] !== '"') throw new Error(`bad label at ${text.slice(i)}`);
    let j = eq + 2;
    let v = '';
    while (text[j] !== '"') {
      if (j >= text.length) throw new Error(`unterminated label value in ${text}`);
      if (text[j] === '\\') { const n = text[j + 1]; v += n === 'n' ? '\n' : n; j += 2; } else v += text[j++];
    }
    out[name] = v;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return out;
}

export function parseExposition(text: string): Exposition {
  const e: Exposition = { types: new Map(), help: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) { e.types.set(m[1]!, m[2]!); continue; }
    m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) { e.help.set(m[1]!, m[2]!); continue; }
    if (line.startsWith('#')) continue;
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    // Prometheus parses floats like Go's ParseFloat: NaN in any case (prom-client writes "Nan").
    if (Number.isNaN(value) && m[3]!.toLowerCase() !== 'nan') throw new Error(`bad value in ${line}`);
    e.samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value });
  }
  return e;
}

/** The value of the one sample with these labels (all given labels must match). */
export function valueOf(e: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}
