// The parts of the repository and what each may import of the others (docs/design.md).
// A part's internals are its own: another part reaches it through its index.ts (or, for the
// CLI, its command.ts). `all` = any module of that part (the bench replays the shop's own
// SQL, the test harness runs the shop in-process). Everything not listed is forbidden.
const PARTS = ['app', 'console', 'backup', 'bench', 'chaos', 'cli', 'dashboards', 'edge', 'lab', 'shared', 'simulator', 'stack', 'test', 'worker'];

const MAY_IMPORT = {
  shared: {},
  lab: { shared: 'all' },
  app: { shared: 'all' },
  // the fulfilment workers run the shop's own database layer, state machine and flags reader
  worker: { shared: 'all', app: 'all' },
  console: { shared: 'all' },
  dashboards: { shared: 'all' },
  edge: { shared: 'all', lab: 'index' },
  backup: { shared: 'all', lab: 'index' },
  simulator: { shared: 'all', lab: 'index' },
  // edge: its limits file, checked before the edge starts
  stack: { shared: 'all', lab: 'index', edge: 'index' },
  // edge: its limits, which the flood drill judges the writes that got through against
  chaos: { shared: 'all', lab: 'index', stack: 'index', simulator: 'index', backup: 'index', edge: 'index' },
  bench: { shared: 'all', app: 'all', lab: 'index', stack: 'index', simulator: 'index', chaos: 'index', backup: 'index' },
  cli: { shared: 'all', app: 'command', backup: 'command', chaos: 'command', dashboards: 'command', edge: 'command', simulator: 'command', stack: 'command' },
  test: { shared: 'all', app: 'all', lab: 'index', stack: 'index', simulator: 'index', chaos: 'index' },
};

/** Tests (*.test.ts) may also use the harness (test/) and any part by its index. */
const TESTS_MAY_IMPORT = { shared: 'all', test: 'all', app: 'all', backup: 'index', edge: 'index', lab: 'index', stack: 'index', simulator: 'index', chaos: 'index' };

const ENTRY = { index: 'index\\.ts', command: 'command\\.ts' };

/** A part whose surface is split by concern has more than one entry beside its index.ts. */
const MORE_ENTRIES = { lab: ['paths', 'broker', 'node-connections', 'throwaway-mariadb'], edge: ['limits'] };

/** The files of `part` that another part may import as `how` ('index' or 'command'). */
function entryPattern(part, how) {
  const more = how === 'index' ? (MORE_ENTRIES[part] ?? []) : [];
  return more.length === 0 ? ENTRY[how] : `(${[ENTRY[how], ...more.map((m) => `${m}\\.ts`)].join('|')})`;
}

function patterns(from, allowed) {
  return PARTS.filter((part) => part !== from && allowed[part] !== 'all').map((part) => {
    const how = allowed[part];
    // a relative import that climbs out of this part into `part`
    const into = `^(\\.\\./)+${part}/`;
    return how === undefined
      ? { regex: into, message: `${from}/ may not import ${part}/ (docs/design.md: what each part may import)` }
      : { regex: `${into}(?!${entryPattern(part, how)}$)`, message: `${from}/ reaches ${part}/ only through ${part}/${how}.ts${how === 'index' && MORE_ENTRIES[part] ? ` or its other entries (${MORE_ENTRIES[part].map((m) => `${m}.ts`).join(', ')})` : ''} (docs/design.md)` };
  });
}

/** The rules for one part: static imports, and the lazy `await import(...)` the CLI uses. */
function rules(part, allowed) {
  const list = patterns(part, allowed);
  return {
    'no-restricted-imports': ['error', { patterns: list }],
    'no-restricted-syntax': ['error', ...list.map((p) => ({ selector: `ImportExpression[source.value=/${p.regex.replace(/\//g, '\\/')}/]`, message: p.message }))],
  };
}

/** Flat-config entries: one per part, and one for every part's tests. */
export function partBoundaries() {
  return [
    ...PARTS.map((part) => ({ files: [`${part}/**/*.ts`], ignores: ['**/*.test.ts'], rules: rules(part, MAY_IMPORT[part]) })),
    ...PARTS.map((part) => ({ files: [`${part}/**/*.test.ts`], rules: rules(part, { ...TESTS_MAY_IMPORT, ...MAY_IMPORT[part] }) })),
  ];
}
