// k6 provides console in every context; @types/k6 does not declare it (it assumes DOM libs).
declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
