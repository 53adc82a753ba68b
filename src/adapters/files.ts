import { readFileSync } from 'node:fs';
import type { FileReader } from '../ports/files.js';
import type { LineSink, LineSinkFactory } from '../ports/fifo.js';
import { createWriteStream } from 'node:fs';

export const fsFileReader: FileReader = {
  read: (path) => { try { return readFileSync(path, 'utf8'); } catch { return undefined; } },
};

/**
 * notify_fifo writer: opens the FIFO (or plain file) for appending; lines are queued by the stream
 * in order. Opening a FIFO blocks a libuv worker until a reader appears, never the event loop.
 */
export const fifoSinks: LineSinkFactory = {
  open(path: string): LineSink {
    const s = createWriteStream(path, { flags: 'a' });
    let failed: Error | undefined;
    s.on('error', (e) => { failed = e; });
    return {
      write: (line) => new Promise((resolve, reject) => {
        if (failed) { reject(failed); return; }
        s.write(line, (e) => (e ? reject(e) : resolve()));
      }),
      close: () => s.end(),
    };
  },
};
