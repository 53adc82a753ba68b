// A line sink for keepalived's notify_fifo: one line per transition, written in order.
export interface LineSink {
  write(line: string): Promise<void>;
  close(): void;
}

export interface LineSinkFactory {
  open(path: string): LineSink;
}
